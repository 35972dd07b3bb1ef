// `srdd scan --embeddings` must change the end-to-end KL (issue #13.5: it used to be a silent no-op, because the
// scan engine's own hook chain dropped the embedding hook). The quantized forward itself is tested in
// test_quantized_forward (embeddingsChangeTheEndToEndKl); this is the scan as a user runs it.
#include <nlohmann/json.hpp>

#include <fstream>

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

class TestEmbeddingScan : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void embeddingsChangeTheScanKl() {
    QTemporaryDir tmp;
    const QString model = srdd_test::fixturesDir() + "/hf/qwen2-tiny-gqa2-tied-f32";
    bool recorded = true;
    auto kl = [&](bool embeddings) -> double {
      const QString out = tmp.filePath(embeddings ? "with.json" : "without.json");
      QStringList args{"scan",         model,          "--scans", "gain",  "--prompts",
                       "builtin:srdd", "--max-tokens", "16",      "--out", out};
      if (embeddings) args << "--embeddings";
      const auto r = srdd_test::runCli(args);
      if (r.code != 0) qWarning("%s", qPrintable(r.err));
      std::ifstream in(out.toStdString());
      const auto j = nlohmann::json::parse(in);
      recorded = recorded && j["parameters"]["quantization"]["include_embeddings"].get<bool>() == embeddings;
      return j["end_to_end"]["kl"]["mean"].get<double>();
    };
    const double without = kl(false), with = kl(true);
    QVERIFY(recorded);
    QVERIFY(without > 0);
    QVERIFY2(std::abs(with - without) > 1e-3 * without,
             qPrintable(QString("KL %1 with, %2 without").arg(with).arg(without)));
  }
};

QTEST_GUILESS_MAIN(TestEmbeddingScan)
#include "test_embedding_scan.moc"
