// Findings of the fuzz harnesses (tests/fuzz, docs/reliability-fuzzing.md), each a named case on the committed
// input that found it (tests/fuzz/corpus/<harness>/regress-*): the reader must end with one srdd::Error that
// names the file and the fault. The corpus replay tests (fuzz_replay_*) only check that nothing crashes.
#include <ATen/ATen.h>

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "srdd/aqn.h"
#include "srdd/aqn_rundir.h"
#include "srdd/engine_frames.h"
#include "srdd/model_config.h"
#include "srdd/safetensors.h"
#include "srdd/scan_result.h"
#include "srdd/tokenizer.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string regressionInput(const char* harness, const char* name) {
  return (srdd_test::sourceDir() + "/tests/fuzz/corpus/" + harness + "/regress-" + name).toStdString();
}

const QString kTooDeep = "JSON nests deeper than 128 levels";

void verifyNamesFileAndFault(const QString& error, const std::string& file) {
  QVERIFY2(error.contains(QString::fromStdString(file)), qPrintable("does not name the file: " + error));
  QVERIFY2(error.contains(kTooDeep), qPrintable("does not say '" + kTooDeep + "': " + error));
  QVERIFY2(error.size() < 500 && !error.contains('\n'), qPrintable("not one short line: " + error));
}

std::string modelConfigNested(int levels) {  // the object itself is the first level
  return "{\"architectures\": " + std::string(levels - 1, '[') + std::string(levels - 1, ']') + "}";
}

}  // namespace

class TestFuzzRegressions : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // nlohmann::json parses any depth but copies and prints values recursively: 100000 levels overflowed the
  // stack in every reader below (the error message dumped the value, or a value was copied out).
  void deeplyNestedConfig() {
    const std::string file = regressionInput("model_config", "deep-nesting");
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::ModelConfig::fromFile(file); }), file);
  }
  void deeplyNestedTokenizer() {
    const std::string file = regressionInput("tokenizer", "deep-nesting");
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::Tokenizer::fromFile(file); }), file);
  }
  void deeplyNestedScanResult() {
    const std::string file = regressionInput("scan_result", "deep-nesting");
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::readScanResult(file); }), file);
  }
  void deeplyNestedAqnFiles() {
    const std::string file = regressionInput("aqn_rundir", "deep-nesting");
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::aqn::readComparison(file); }), file);
    QTemporaryDir dir;
    const std::string config = dir.path().toStdString() + "/config.json";
    fs::copy_file(file, config);
    verifyNamesFileAndFault(
        srdd_test::errorOf([&] { srdd::aqn::rundir::prepare(dir.path().toStdString(), {}, false); }), config);
  }
  void deeplyNestedSafetensorsHeader() {
    const std::string file = regressionInput("safetensors", "deep-nesting");
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::SafetensorsFile::open(file); }), file);
  }
  // An event header whose "body_in_payload" was not a boolean escaped eventFromFrame as nlohmann's type_error
  // (the process engine then reported "[json.exception.type_error.302] ..."). Found by review, confirmed by
  // the frames harness (its first byte is the harness's chunk size).
  void bodyInPayloadThatIsNotABoolean() {
    std::ifstream in(regressionInput("engine_frames", "body-in-payload-not-bool"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    srdd::engine::FrameDecoder decoder;
    decoder.feed(bytes.substr(1));
    const auto frame = decoder.next();
    QVERIFY(frame.has_value());
    QCOMPARE(srdd_test::errorOf([&] { srdd::engine::eventFromFrame(*frame); }),
             QString("malformed event: \"body_in_payload\" is not true or false"));
  }
  // UBSan: an empty tensor at an offset that is not a multiple of its element size took the copy path, and
  // memcpy(nullptr, p, 0) is undefined (at::empty of zero elements has no storage). Only the sanitizer build
  // can see this one; here the case checks that the tensor still reads back.
  void emptyTensorAtAnUnalignedOffset() {
    const auto file = srdd::SafetensorsFile::open(regressionInput("safetensors", "empty-unaligned-tensor"));
    const at::Tensor t = file->tensor("empty");
    QCOMPARE(t.scalar_type(), at::kFloat);
    QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{0, 5}));
    QCOMPARE(file->tensor("a").item<uint8_t>(), uint8_t{7});
  }
  // The limit leaves real files alone: 128 levels reach the field checks, 129 do not.
  void nestingLimitIsExactly128Levels() {
    QTemporaryDir dir;
    const std::string file = dir.path().toStdString() + "/config.json";
    std::ofstream(file) << modelConfigNested(128);
    const QString at128 = srdd_test::errorOf([&] { srdd::ModelConfig::fromFile(file); });
    QVERIFY2(at128.contains("\"architectures\" must be a non-empty list of strings"), qPrintable(at128));
    std::ofstream(file, std::ios::trunc) << modelConfigNested(129);
    verifyNamesFileAndFault(srdd_test::errorOf([&] { srdd::ModelConfig::fromFile(file); }), file);
  }
};

QTEST_APPLESS_MAIN(TestFuzzRegressions)
#include "test_fuzz_regressions.moc"
