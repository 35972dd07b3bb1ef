// The heatmaps' sequential colour map is the full 256-entry viridis table: it hits the published viridis
// colours (matplotlib's #440154 … #fde725) at the quartiles and between them.
#include <QtTest>

#include "results/plot_theme.h"

class TestViridis : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void publishedAnchors() {
    QCPColorGradient g = srdd_gui::sequentialGradient(srdd_gui::PlotTheme{});
    const QCPRange unit(0, 255);
    const struct {
      int index;
      QRgb rgb;
    } anchors[] = {{0, 0x440154}, {64, 0x3b528b}, {128, 0x21918c}, {192, 0x5ec962}, {255, 0xfde725}};
    for (const auto& a : anchors) QCOMPARE(QColor(g.color(a.index, unit)).rgb() & 0xffffff, a.rgb);
  }
  void betweenTheQuartiles() {
    // Five linear stops (the old map) miss these by up to 20 levels; the full table hits them exactly.
    QCPColorGradient g = srdd_gui::sequentialGradient(srdd_gui::PlotTheme{});
    const QCPRange unit(0, 255);
    const struct {
      int index;
      QRgb rgb;
    } anchors[] = {{32, 0x472d7b}, {96, 0x2c728e}, {160, 0x28ae80}, {224, 0xaddc30}};
    for (const auto& a : anchors) QCOMPARE(QColor(g.color(a.index, unit)).rgb() & 0xffffff, a.rgb);
  }
};

QTEST_MAIN(TestViridis)
#include "test_viridis.moc"
