#include "aqn/aqn_progress_delegate.h"

#include "aqn/aqn_job_queue.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

namespace srdd_gui {

void AqnProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const QVariant fraction = index.data(AqnFractionRole);
  if (!fraction.isValid()) {
    QStyledItemDelegate::paint(painter, option, index);
    return;
  }
  if (option.state & QStyle::State_Selected) painter->fillRect(option.rect, option.palette.highlight());
  QStyleOptionProgressBar bar;
  bar.rect = option.rect.adjusted(2, 3, -2, -3);
  bar.minimum = 0;
  bar.maximum = 1000;
  bar.progress = qBound(0, qRound(fraction.toDouble() * 1000), 1000);
  bar.text = index.data(Qt::DisplayRole).toString();
  bar.textVisible = true;
  bar.textAlignment = Qt::AlignCenter;
  bar.state = option.state | QStyle::State_Horizontal;
  bar.palette = option.palette;
  const QWidget* widget = option.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
}

}  // namespace srdd_gui
