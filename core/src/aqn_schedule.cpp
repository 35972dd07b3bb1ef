// The AQN σ schedule: warm-up at σ = 0, then a geometric decay over equal stretches (QeRL global-decay
// mode, reference §5.3), with its inputs validated (reference §7 item 25).
#include <algorithm>
#include <cmath>

#include "srdd/aqn.h"
#include "srdd/error.h"

namespace srdd::aqn {

namespace {
void requireFinite(double v, const char* field) {
  if (!std::isfinite(v)) throw Error(std::string("AQN schedule: ") + field + " is not a finite number");
  if (v < 0) throw Error(std::string("AQN schedule: ") + field + " = " + std::to_string(v) + " is negative");
}
}  // namespace

Schedule Schedule::qerl(double sigmaStart, double sigmaEnd, int numStages) {
  if (numStages < 2)
    throw Error("AQN schedule: QeRL num_stages = " + std::to_string(numStages) +
                " leaves no σ stage after the warm-up interval (need at least 2)");
  Schedule s;
  s.sigmaStart = sigmaStart;
  s.sigmaEnd = sigmaEnd;
  s.levels = numStages - 1;
  s.warmupFraction = 1.0 / numStages;
  return s;
}

void Schedule::validate() const {
  requireFinite(sigmaStart, "sigma_start");
  requireFinite(sigmaEnd, "sigma_end");
  requireFinite(warmupFraction, "warmup_fraction");
  if (sigmaStart == 0)
    throw Error("AQN schedule: sigma_start = 0 means no noise at all; use the baseline configuration instead");
  if (levels < 1) throw Error("AQN schedule: levels = " + std::to_string(levels) + " (need at least 1)");
  if (warmupFraction >= 1)
    throw Error("AQN schedule: warmup_fraction = " + std::to_string(warmupFraction) +
                " leaves no step with noise (need < 1)");
  if (levels >= 2) {
    if (sigmaEnd == 0)
      throw Error(
          "AQN schedule: sigma_end = 0 cannot be reached by a geometric decay; use a small positive "
          "sigma_end, or levels = 1 for a constant σ");
    if (sigmaEnd > sigmaStart)
      throw Error("AQN schedule: sigma_end (" + std::to_string(sigmaEnd) + ") is larger than sigma_start (" +
                  std::to_string(sigmaStart) + "); the schedule decays");
  }
}

std::vector<double> Schedule::levelValues() const {
  validate();
  std::vector<double> v;
  for (int k = 0; k < levels; ++k)
    v.push_back(levels == 1 ? sigmaStart
                            : sigmaStart * std::pow(sigmaEnd / sigmaStart, static_cast<double>(k) / (levels - 1)));
  return v;
}

double Schedule::sigmaAt(long step, long totalSteps) const {
  if (totalSteps < 1) throw Error("AQN schedule: a run needs at least 1 step");
  if (step < 0) throw Error("AQN schedule: negative step " + std::to_string(step));
  const auto values = levelValues();
  // Real-valued position on the QeRL grid; the tolerance keeps exact stretch boundaries (where QeRL's
  // step / (S / n) is an integer) on the upper stretch despite rounding in warmupFraction · S.
  const double s = static_cast<double>(std::min(step, totalSteps));
  const double total = static_cast<double>(totalSteps);
  const double warm = warmupFraction * total;
  const double tol = 1e-9 * std::max(1.0, total);
  if (s < warm - tol) return 0.0;
  const double x = (s - warm) * levels / (total - warm);
  const long k = std::clamp(static_cast<long>(std::floor(x + 1e-9)), 0L, static_cast<long>(levels - 1));
  return values[static_cast<size_t>(k)];
}

std::vector<double> Schedule::sigmaPerStep(long totalSteps) const {
  std::vector<double> v;
  for (long s = 0; s < totalSteps; ++s) v.push_back(sigmaAt(s, totalSteps));
  return v;
}

nlohmann::json Schedule::toJson() const {
  return {{"sigma_start", sigmaStart},
          {"sigma_end", sigmaEnd},
          {"levels", levels},
          {"warmup_fraction", warmupFraction},
          {"level_values", levelValues()}};
}

Schedule Schedule::fromJson(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("AQN schedule: expected a JSON object");
  Schedule s;
  try {
    s.sigmaStart = j.value("sigma_start", s.sigmaStart);
    s.sigmaEnd = j.value("sigma_end", s.sigmaEnd);
    s.levels = j.value("levels", s.levels);
    s.warmupFraction = j.value("warmup_fraction", s.warmupFraction);
  } catch (const nlohmann::json::exception&) {
    throw Error("AQN schedule: a field has the wrong type");
  }
  s.validate();
  return s;
}

}  // namespace srdd::aqn
