#include "srdd/eta.h"

#include <algorithm>

namespace srdd {

void EtaEstimator::plan(const std::string& stage, long units, double weight) {
  Stage& s = stages_[stage];
  const long total = s.planned + units;
  if (total > 0)
    s.weight =
        (s.weight * static_cast<double>(s.planned) + weight * static_cast<double>(units)) / static_cast<double>(total);
  s.planned = total;
}

long EtaEstimator::plannedUnits() const {
  long n = 0;
  for (const auto& [name, s] : stages_) n += s.planned;
  return n;
}

void EtaEstimator::begin(const std::string& stage, double now) {
  current_ = stage;
  currentStart_ = now;
}

void EtaEstimator::done(double now) {
  if (currentStart_ < 0) return;
  Stage& s = stages_[current_];
  ++s.done;
  s.planned = std::max(s.planned, s.done);  // unplanned work is done work, not work left
  s.seconds += std::max(0.0, now - currentStart_);
  currentStart_ = -1;
}

double EtaEstimator::remaining(double now) const {
  double seconds = 0, work = 0;
  for (const auto& [name, s] : stages_) {
    seconds += s.seconds;
    work += static_cast<double>(s.done) * s.weight;
  }
  if (!(work > 0)) return -1;
  const double perCost = seconds / work;  // over all finished work
  double left = 0;
  for (const auto& [name, s] : stages_) {
    const double perUnit = s.done > 0 ? s.seconds / static_cast<double>(s.done) : perCost * s.weight;
    long units = std::max(0L, s.planned - s.done);
    if (currentStart_ >= 0 && name == current_ && units > 0) {
      --units;
      left += std::max(0.0, perUnit - (now - currentStart_));
    }
    left += perUnit * static_cast<double>(units);
  }
  return left;
}

}  // namespace srdd
