#pragma once
// Table models of the AQN results: one row per configuration (final held-out loss under the quantized
// forward across seeds, and in BF16) and one row per test between configurations. Qt::DisplayRole gives
// the formatted text, AqnSortRole the raw number (for sorting and full-precision use).
#include <srdd/aqn.h>

#include <QAbstractTableModel>

#include <vector>

namespace srdd_gui {

constexpr int AqnSortRole = Qt::UserRole + 1;

class AqnConfigTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Config, Layers, N, MeanSd, Ci, Bf16, ColumnCount };
  using QAbstractTableModel::QAbstractTableModel;

  void setConfigs(const std::vector<srdd::aqn::ConfigSummary>& configs);
  const std::vector<srdd::aqn::ConfigSummary>& configs() const { return m_configs; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<srdd::aqn::ConfigSummary> m_configs;
  int m_best = -1;  // row with the lowest mean quantized loss
};

class AqnTestTableModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    Pair,
    MeanDiff,
    WelchT,
    WelchDf,
    WelchP,
    PairedT,
    PairedP,
    StudentP,
    CohensD,
    PairedDz,
    PairedCi,
    HolmP,
    ColumnCount
  };
  using QAbstractTableModel::QAbstractTableModel;

  void setTests(const std::vector<srdd::aqn::ConfigTest>& tests);
  const std::vector<srdd::aqn::ConfigTest>& tests() const { return m_tests; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::vector<srdd::aqn::ConfigTest> m_tests;
};

}  // namespace srdd_gui
