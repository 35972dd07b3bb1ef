#pragma once
// Draws the queue's Progress column as a progress bar (AqnFractionRole, 0..1) with the percentage as text.
#include <QStyledItemDelegate>

namespace srdd_gui {

class AqnProgressDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace srdd_gui
