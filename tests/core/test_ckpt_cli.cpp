// summarizeModel and the `srdd info` / `srdd make-random` commands, run as real processes.
#include <ATen/ATen.h>

#include <filesystem>

#include "ckpt_test_helpers.h"
#include "srdd/checkpoint.h"
#include "srdd/model_summary.h"
#include "srdd/random_checkpoint.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {
using srdd_test::runCli;
}  // namespace

class TestCkptCli : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString path(const QString& name) { return tmp_.path() + "/" + name; }

 private Q_SLOTS:
  void summaryOfTiedModel() {
    const auto c = srdd::presetConfig("tiny-qwen2");
    const std::string dir = path("tied").toStdString();
    srdd::writeRandomCheckpoint(c, dir, at::kBFloat16, 1, 2);
    const srdd::ModelSummary s = srdd::summarizeModel(dir);
    QCOMPARE(s.architecture, std::string("Qwen2ForCausalLM"));
    QCOMPARE(s.numLayers, int64_t(2));
    QCOMPARE(s.headDim, int64_t(16));
    QVERIFY(s.tiedEmbeddings && s.attentionBias);
    QCOMPARE(s.rows.size(), size_t(2 + 3));
    QCOMPARE(s.rows[0].name, std::string("embeddings"));
    QCOMPARE(s.rows[0].parameters, int64_t(512 * 64));
    QCOMPARE(s.rows[1].index, 0);
    // A Qwen2 layer: q 64x64+64, k and v 32x64+32 each, o 64x64, three 176x64 MLP matrices, two norms of 64.
    const int64_t layer = 64 * 64 + 64 + 2 * (32 * 64 + 32) + 64 * 64 + 3 * 176 * 64 + 2 * 64;
    QCOMPARE(s.rows[1].parameters, layer);
    QCOMPARE(s.rows[1].tensors.size(), size_t(12));
    QCOMPARE(s.rows[1].dtype, std::string("BF16"));
    QCOMPARE(s.rows[3].name, std::string("final norm"));
    QCOMPARE(s.rows[4].name, std::string("lm_head (tied)"));
    QCOMPARE(s.rows[4].parameters, int64_t(0));
    QCOMPARE(s.totalParameters, 512 * 64 + 2 * layer + 64);
    QCOMPARE(s.totalParameters, c.parameterCount());
    QCOMPARE(s.files.size(), size_t(2));
    QCOMPARE(s.bytesOnDisk, int64_t(fs::file_size(s.files[0]) + fs::file_size(s.files[1])));
    QCOMPARE(s.rows[0].tensors[0].file, std::string("model-00001-of-00002.safetensors"));
  }

  void summaryOfUntiedModel() {
    auto c = srdd::presetConfig("tiny-qwen2");
    c.tieWordEmbeddings = false;
    const std::string dir = path("untied").toStdString();
    srdd::writeRandomCheckpoint(c, dir, at::kFloat, 1, 1);
    const srdd::ModelSummary s = srdd::summarizeModel(dir);
    QCOMPARE(s.rows.back().name, std::string("lm_head"));
    QCOMPARE(s.rows.back().parameters, int64_t(512 * 64));
    QCOMPARE(s.rows.back().dtype, std::string("F32"));
    QCOMPARE(s.totalParameters, c.parameterCount());
    EXPECT_SRDD_ERROR(srdd::summarizeModel(path("absent").toStdString()), "absent", "does not exist");
  }

  void makeRandomThenInfo() {
    const QString out = path("cli-model");
    srdd_test::CliRun r =
        runCli({"make-random", "--like", "tiny-qwen2", out, "--layers", "3", "--seed", "9", "--dtype", "fp16"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(out), qPrintable(r.out));
    const auto ckpt = srdd::Checkpoint::open(out.toStdString());
    QCOMPARE(ckpt.config().numLayers, int64_t(3));
    QCOMPARE(ckpt.dtypeOf("model.embed_tokens.weight"), std::string("F16"));
    QVERIFY(at::equal(ckpt.tensor("model.layers.2.mlp.up_proj.weight"),
                      srdd::randomTensor("model.layers.2.mlp.up_proj.weight", {176, 64}, at::kHalf, 9)));

    auto c = srdd::presetConfig("tiny-qwen2");
    c.numLayers = 3;
    r = runCli({"info", out});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("Qwen2ForCausalLM") && r.out.contains(QString::number(c.parameterCount())),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("Tied lm_head    yes") && r.out.contains("F16 (") && r.out.contains("layer 2"),
             qPrintable(r.out));

    r = runCli({"info", out, "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["parameters"].get<int64_t>(), c.parameterCount());
    QCOMPARE(j["memory_bytes"]["bf16"].get<int64_t>(), 2 * c.parameterCount());
    QCOMPARE(j["memory_bytes"]["fp32"].get<int64_t>(), 4 * c.parameterCount());
    QCOMPARE(j["num_kv_heads"].get<int64_t>(), int64_t(2));
    QCOMPARE(j["rows"].size(), size_t(3 + 3));
    QCOMPARE(j["bytes_on_disk"].get<int64_t>(), int64_t(fs::file_size(out.toStdString() + "/model.safetensors")));
  }

  // MODEL defaults to the bundled demo model, as the README says.
  void infoWithoutModelIsTheDemoModel() {
    const srdd_test::CliRun r = runCli({"info", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["num_layers"].get<int64_t>(), int64_t(6));
  }

  void badInputFailsWithOneLine() {
    const QString pickle = path("pickle");
    fs::create_directories(pickle.toStdString());
    ckpt_test::writeBytes(pickle.toStdString() + "/pytorch_model.bin", "\x80\x02.");
    const std::pair<QStringList, QString> cases[] = {
        {{"info", path("nowhere")}, "nowhere: model directory does not exist"},
        {{"info", pickle}, "arbitrary code"},
        {{"make-random", "--like", "gpt9", path("x")}, "unknown model preset 'gpt9'"},
        {{"make-random", path("x")}, "option --like is required"},
        {{"make-random", "--like", "tiny-qwen2", path("x"), "--dtype", "int4"}, "unknown dtype 'int4'"},
        {{"make-random", "--like", "tiny-qwen2", path("x"), "--shards", "0"}, "--shards must be between"},
        {{"make-random", "--like", "tiny-qwen2", path("x"), "--layers", "two"}, "--layers: 'two' is not an integer"},
    };
    for (const auto& [args, fault] : cases) {
      const srdd_test::CliRun r = runCli(args);
      QVERIFY2(r.code != 0, qPrintable(args.join(' ')));
      const QString err = r.err.trimmed();
      QVERIFY2(err.contains(fault) && !err.contains('\n'), qPrintable(args.join(' ') + " -> " + err));
    }
    QVERIFY(!fs::exists(path("x").toStdString()));
  }

  void helpTexts() {
    srdd_test::CliRun r = runCli({"make-random", "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("--like NAME") && r.out.contains("--shards N") && r.out.contains("qwen2.5-1.5b"));
    r = runCli({"info", "--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("Usage: srdd info [MODEL] [--json]"));
  }
};

QTEST_GUILESS_MAIN(TestCkptCli)
#include "test_ckpt_cli.moc"
