#pragma once
// The remaining time of a job whose stages cost very different amounts per unit (a scan's cheap per-layer
// statistics before its costly sensitivity passes). Torch-free.
#include <map>
#include <string>

namespace srdd {

// Each stage is planned with its unit count and a rough relative cost per unit; the seconds its units
// actually take are measured. A started stage's remaining units are predicted from its own measured
// seconds per unit; only stages not started yet use their planned cost times the measured seconds per cost
// unit of all finished work. (An average over all units so far predicts the costly stages from the cheap
// early ones: the scan showed 14 s with a minute left.) Times are seconds from any fixed origin, so a test
// can drive it with a clock of its own.
class EtaEstimator {
 public:
  // Adds UNITS units of STAGE, each costing WEIGHT (any unit, e.g. decoder-layer passes). A stage planned
  // again adds units and keeps the mean cost.
  void plan(const std::string& stage, long units, double weight = 1.0);
  long plannedUnits() const;
  void begin(const std::string& stage, double now);  // a unit of STAGE starts at NOW
  void done(double now);                             // the unit begun last has finished
  // Seconds left at NOW (the running unit's elapsed time counted off), -1 before any unit has finished.
  double remaining(double now) const;

 private:
  struct Stage {
    long planned = 0, done = 0;
    double weight = 1, seconds = 0;  // seconds: measured over the finished units
  };
  std::map<std::string, Stage> stages_;
  std::string current_;
  double currentStart_ = -1;  // < 0: no unit running
};

}  // namespace srdd
