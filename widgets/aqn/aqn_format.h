#pragma once
// Number formatting of the AQN views: exact p-values, losses, layer lists.
#include <QString>

#include <vector>

namespace srdd_gui {

// Two-sided p-value: 3 significant digits from 0.001 up ("0.0123", "0.5"), scientific below ("1.2e-05"),
// "0" for an underflowed p, "—" for a non-finite one.
QString formatPValue(double p);
// A loss or statistic with `digits` significant digits; "—" for NaN/inf.
QString formatStat(double v, int digits = 4);
// {0,1,2,5} -> "0-2, 5"; empty -> "none".
QString formatLayerList(const std::vector<int>& layers);

}  // namespace srdd_gui
