#include "results/ranked_layer_model.h"

#include "results/metric_catalog.h"

#include <QColor>
#include <algorithm>
#include <QFont>

namespace srdd_gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

RankedLayerModel::RankedLayerModel(QObject* parent) : QAbstractTableModel(parent) {}

void RankedLayerModel::setScanData(std::shared_ptr<const ScanData> data) {
  beginResetModel();
  m_data = std::move(data);
  if (m_data && !m_data->pairedMetrics().contains(m_metric) && !m_data->singleMetrics().contains(m_metric)) {
    const QStringList paired = m_data->pairedMetrics();
    m_metric = paired.contains("gain") ? QStringLiteral("gain") : paired.value(0);
  }
  endResetModel();
}

void RankedLayerModel::clear() { setScanData(nullptr); }

void RankedLayerModel::setMetric(const QString& metric) {
  if (metric == m_metric) return;
  m_metric = metric;
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, Bf16Column), index(rowCount() - 1, RatioColumn));
  Q_EMIT headerDataChanged(Qt::Horizontal, Bf16Column, RatioColumn);
}

int RankedLayerModel::rowOfLayer(int layer) const { return m_data ? m_data->rowOfLayer(layer) : -1; }

int RankedLayerModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_data ? 0 : m_data->layerCount();
}

int RankedLayerModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

double RankedLayerModel::number(int row, int column) const {
  const srdd::LayerVerdict& v = m_data->verdict(row);
  switch (column) {
    case LayerColumn: return m_data->layer(row).layer;
    case RankColumn: {
      const auto& ranking = m_data->ranking();
      const auto it = std::find(ranking.begin(), ranking.end(), m_data->layer(row).layer);
      return it == ranking.end() ? kNaN : static_cast<double>(it - ranking.begin() + 1);
    }
    case ProblematicColumn: return !v.quantized ? -1 : v.problematic ? 1 : 0;  // not quantized sorts last
    case AnomalyColumn: return v.anomalyScore;
    case Bf16Column: return m_data->value(row, m_metric, Side::Bf16);
    case QuantizedColumn: return m_data->value(row, m_metric, Side::Quantized);
    case RatioColumn: return m_data->value(row, m_metric, Side::Ratio);
  }
  return kNaN;
}

QVariant RankedLayerModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const int row = index.row(), col = index.column();
  const int layer = m_data->layer(row).layer;
  const srdd::LayerVerdict& l = m_data->verdict(row);
  const double v = number(row, col);
  switch (role) {
    case Qt::DisplayRole:
      switch (col) {
        case LayerColumn: return layer;
        case RankColumn: return std::isfinite(v) ? QString::number(v) : QString();
        case ProblematicColumn:
          return !l.quantized ? tr("not quantized") : l.problematic ? tr("problematic") : tr("ok");
        case AnomalyColumn: return std::isfinite(v) ? QString::number(v, 'f', 2) : QString();
        case AnomalyMetricColumn: return metricInfo(QString::fromStdString(l.anomalyMetric)).name;
        case Bf16Column:
        case QuantizedColumn: return std::isfinite(v) ? formatMetricValue(m_metric, v) : QString();
        case RatioColumn: return std::isfinite(v) ? QString::number(v, 'f', 4) : QString();
        case FlagsColumn: return ruleNames(l).join(QStringLiteral(", "));
      }
      break;
    case SortRole:
      if (col == AnomalyMetricColumn) return QString::fromStdString(l.anomalyMetric);
      if (col == FlagsColumn) return static_cast<int>(l.flags.size());
      if (col == RankColumn && !std::isfinite(v)) return 1e9;  // unranked (not quantized) after the ranked
      return std::isfinite(v) ? QVariant(v) : QVariant();
    case LayerRole: return layer;
    case Qt::ToolTipRole:
      if (col == FlagsColumn && !l.flags.empty()) {
        QStringList lines;
        for (const auto& f : l.flags)
          lines << QStringLiteral("%1: %2 = %3 (threshold %4)")
                       .arg(QString::fromStdString(f.rule), QString::fromStdString(f.metric),
                            QString::number(f.value, 'g', 4), QString::number(f.threshold, 'g', 4));
        return lines.join('\n');
      }
      if ((col == Bf16Column || col == QuantizedColumn || col == RatioColumn) && std::isfinite(v))
        return QString::number(v, 'g', 10);
      if (col == ProblematicColumn && !l.quantized)
        return tr("the quantization plan leaves this layer in BF16: not scored, flagged or ranked");
      if (col == AnomalyColumn) return tr("largest robust z-score (worse direction) across layers: explains a rank");
      if (col == RankColumn)
        return tr("the scan's ranking: single-layer harm (KL when only this layer is quantized) first");
      break;
    case Qt::ForegroundRole:
      if (col == ProblematicColumn && l.problematic) return QColor(0xd0, 0x30, 0x30);
      break;
    case Qt::FontRole:
      if (col == ProblematicColumn && l.problematic) {
        QFont f;
        f.setBold(true);
        return f;
      }
      break;
    case Qt::TextAlignmentRole:
      if (col != AnomalyMetricColumn && col != FlagsColumn && col != ProblematicColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      break;
  }
  return {};
}

QVariant RankedLayerModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
    return QAbstractTableModel::headerData(section, orientation, role);
  const QString name = metricInfo(m_metric).name;
  const QString q = m_data ? m_data->formatName() : tr("quantized");
  if (role == Qt::DisplayRole) {
    switch (section) {
      case LayerColumn: return tr("Layer");
      case RankColumn: return tr("Rank");
      case ProblematicColumn: return tr("Status");
      case AnomalyColumn: return tr("Anomaly");
      case AnomalyMetricColumn: return tr("Driven by");
      case Bf16Column: return tr("%1 BF16").arg(name);
      case QuantizedColumn: return tr("%1 %2").arg(name, q);
      case RatioColumn: return tr("%1 ratio").arg(name);
      case FlagsColumn: return tr("Flags");
    }
  }
  if (role == Qt::ToolTipRole && section >= Bf16Column && section <= RatioColumn) {
    const MetricInfo info = metricInfo(m_metric);
    return info.healthy.isEmpty() ? betterText(info.better) : betterText(info.better) + "; healthy " + info.healthy;
  }
  return QAbstractTableModel::headerData(section, orientation, role);
}

}  // namespace srdd_gui
