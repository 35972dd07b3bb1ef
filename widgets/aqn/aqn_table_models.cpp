#include "aqn/aqn_table_models.h"

#include "aqn/aqn_format.h"

#include <QFont>

#include <cmath>

namespace srdd_gui {

namespace {

QString meanSd(const srdd::stats::Summary& s) {
  if (s.n == 0) return QStringLiteral("—");
  return QStringLiteral("%1 ± %2").arg(formatStat(s.mean, 5), formatStat(s.sd, 2));
}

QString ci(const srdd::stats::Summary& s) {
  if (s.n == 0) return QStringLiteral("—");
  return QStringLiteral("[%1, %2]").arg(formatStat(s.ciLow, 5), formatStat(s.ciHigh, 5));
}

QVariant number(double v) { return std::isfinite(v) ? QVariant(v) : QVariant(); }

}  // namespace

// ---- configurations ----

void AqnConfigTableModel::setConfigs(const std::vector<srdd::aqn::ConfigSummary>& configs) {
  beginResetModel();
  m_configs = configs;
  m_best = -1;
  for (int i = 0; i < static_cast<int>(m_configs.size()); ++i)
    if (m_configs[i].quantized.n > 0 && (m_best < 0 || m_configs[i].quantized.mean < m_configs[m_best].quantized.mean))
      m_best = i;
  endResetModel();
}

int AqnConfigTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_configs.size());
}

int AqnConfigTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AqnConfigTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const auto& c = m_configs[static_cast<size_t>(index.row())];
  const int col = index.column();
  switch (role) {
    case Qt::DisplayRole:
      switch (col) {
        case Config: return QString::fromStdString(c.name);
        case Layers: return formatLayerList(c.noiseLayers);
        case N: return c.quantized.n;
        case MeanSd: return meanSd(c.quantized);
        case Ci: return ci(c.quantized);
        case Bf16: return meanSd(c.bf16);
      }
      break;
    case AqnSortRole:
      switch (col) {
        case Config: return QString::fromStdString(c.name);
        case Layers: return static_cast<int>(c.noiseLayers.size());
        case N: return c.quantized.n;
        case MeanSd: return number(c.quantized.mean);
        case Ci: return number(c.quantized.ciLow);
        case Bf16: return c.bf16.n > 0 ? number(c.bf16.mean) : QVariant();
      }
      break;
    case Qt::ToolTipRole:
      if (col == Layers) return QStringLiteral("Noise layers: %1").arg(formatLayerList(c.noiseLayers));
      if (col == MeanSd || col == Ci)
        return QStringLiteral("Final held-out loss, quantized forward, over %1 seeds").arg(c.quantized.n);
      if (col == Bf16) return QStringLiteral("Final held-out loss in BF16 (no quantization)");
      break;
    case Qt::TextAlignmentRole:
      return col <= Layers ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
      if (index.row() == m_best && col == MeanSd) {
        QFont f;
        f.setBold(true);
        return f;
      }
      break;
  }
  return {};
}

QVariant AqnConfigTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) {
    static const char* names[] = {"Configuration", "Noise layers", "n", "Loss mean ± sd", "95 % CI", "BF16 mean ± sd"};
    return QString::fromUtf8(names[section]);
  }
  if (role == Qt::ToolTipRole && (section == MeanSd || section == Ci))
    return QStringLiteral("Final held-out loss with the quantized forward (lower is better); CI: Student t");
  return {};
}

// ---- tests ----

void AqnTestTableModel::setTests(const std::vector<srdd::aqn::ConfigTest>& tests) {
  beginResetModel();
  m_tests = tests;
  endResetModel();
}

int AqnTestTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_tests.size());
}

int AqnTestTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AqnTestTableModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const auto& t = m_tests[static_cast<size_t>(index.row())];
  const int col = index.column();
  const bool defined = t.error.empty();
  auto raw = [&]() -> double {
    switch (col) {
      case MeanDiff: return t.meanDifference;
      case WelchT: return t.welch.t;
      case WelchDf: return t.welch.df;
      case WelchP: return t.welch.p;
      case PairedT: return t.paired.t;
      case PairedP: return t.paired.p;
      case StudentP: return t.student.p;
      case CohensD: return t.cohensD;
      case PairedDz: return t.pairedDz;
      case PairedCi: return t.pairedCi.low;
      case HolmP: return t.holmP;
    }
    return 0;
  };
  switch (role) {
    case Qt::DisplayRole:
      if (col == Pair) return QStringLiteral("%1 vs %2").arg(QString::fromStdString(t.a), QString::fromStdString(t.b));
      if (col == MeanDiff) return formatStat(t.meanDifference, 3);
      if (!defined) return QStringLiteral("—");
      if (col == WelchP || col == PairedP || col == StudentP) return formatPValue(raw());
      if (col == HolmP) return formatPValue(t.holmP) + (t.significant ? QStringLiteral(" *") : QString());
      if (col == PairedCi)
        return QStringLiteral("[%1, %2]").arg(formatStat(t.pairedCi.low, 3), formatStat(t.pairedCi.high, 3));
      return formatStat(raw(), 3);
    case AqnSortRole:
      if (col == Pair) return QStringLiteral("%1 vs %2").arg(QString::fromStdString(t.a), QString::fromStdString(t.b));
      if (!defined && col != MeanDiff) return {};
      return number(raw());
    case Qt::ToolTipRole:
      if (!defined) return QString::fromStdString(t.error);
      if (col == MeanDiff)
        return QStringLiteral("mean(%1) − mean(%2); negative: %1 has the lower loss")
            .arg(QString::fromStdString(t.a), QString::fromStdString(t.b));
      if (col == WelchP || col == PairedP || col == StudentP) return QString::number(raw(), 'g', 17);
      break;
    case Qt::TextAlignmentRole:
      return col == Pair ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
      if (defined && (((col == WelchP || col == PairedP) && raw() < 0.05) || (col == HolmP && t.significant))) {
        QFont f;
        f.setBold(true);
        return f;
      }
      break;
  }
  return {};
}

QVariant AqnTestTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::DisplayRole) {
    static const char* names[] = {"Comparison",
                                  "Δ mean",
                                  "Welch t",
                                  "df",
                                  "Welch p",
                                  "Paired t",
                                  "Paired p",
                                  "Student p",
                                  "Cohen's d",
                                  "Paired d_z",
                                  "95 % CI of Δ (paired)",
                                  "Holm p"};
    return QString::fromUtf8(names[section]);
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case WelchDf: return QStringLiteral("Welch–Satterthwaite degrees of freedom");
      case WelchP: return QStringLiteral("Welch's t-test, exact two-sided p (bold: p < 0.05)");
      case PairedP: return QStringLiteral("Paired t-test over the shared seeds, exact two-sided p (bold: p < 0.05)");
      case StudentP: return QStringLiteral("Student's t-test (pooled variance), as the research scripts used");
      case CohensD: return QStringLiteral("Cohen's d with the pooled standard deviation");
      case PairedDz: return QStringLiteral("Paired effect size d_z: mean / sd of the per-seed differences");
      case PairedCi: return QStringLiteral("95 % confidence interval of the mean per-seed difference");
      case HolmP:
        return QStringLiteral("Paired p after Holm's correction over every test of the table (*: significant at 0.05)");
    }
  }
  return {};
}

}  // namespace srdd_gui
