// The bad-input catalogue (docs/reliability.md): one row per fault, each made from a copy of the demo model
// or as a real file. Every row runs the real `srdd` under a 4 GB address-space limit and a time limit and
// must end with exit code 1 and one stderr line that names the file and the problem: no signal, no hang,
// no allocation from an unchecked size.
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "bad_input_files.h"
#include "test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using namespace bad_input;

struct Case {
  const char* name;
  std::function<void(const std::string& model, const std::string& dir)> make;  // mutates the model copy
  std::function<QStringList(const QString& model, const QString& dir)> args;   // the srdd command line
  const char* file;     // the file the message must name, relative to the model copy ("" = DIR/<file>)
  const char* problem;  // what the message must say
};

// Appends a BF16 tensor of N elements to the data area, listed in the header under NAME.
void addTensor(const std::string& model, const std::string& name, int64_t n) {
  auto st = Safetensors::read(model + "/model.safetensors");
  const int64_t begin = static_cast<int64_t>(st.data.size());
  st.header[name] = {{"dtype", "BF16"}, {"shape", json::array({n})}, {"data_offsets", {begin, begin + 2 * n}}};
  st.data.append(static_cast<size_t>(2 * n), '\0');
  st.write(model + "/model.safetensors");
}
// The address-space limit every row runs under: a few GB, so that an allocation sized from an unchecked
// number in a file fails the row (as a signal or a bad_alloc message) instead of passing unnoticed.
[[maybe_unused]] constexpr long long kAddressSpaceLimit = 4000000000LL;  // unused in sanitizer builds

int64_t fileSize(const std::string& path) { return static_cast<int64_t>(fs::file_size(path)); }

const std::string kDown = "model.layers.0.mlp.down_proj.weight";
const std::string kO = "model.layers.2.self_attn.o_proj.weight";

QStringList info(const QString& m, const QString&) { return {"info", m}; }
QStringList forward(const QString& m, const QString&) { return {"forward", m, "--ids", "1 2 3"}; }
QStringList scan(const QString& m, const QString& d) {
  return {"scan", m, "--scans", "gain", "--quiet", "--no-report", "--out", d + "/r.json"};
}
QStringList scanPrompts(const QString& m, const QString& d) { return scan(m, d) << "--prompts" << d + "/prompts.txt"; }

// Arrays are spelled json::array({...}): Clang 14 does not destroy a braced list assigned to a json inside these
// nested lambdas (LeakSanitizer found the leak in the sanitizer build; a plain function does not leak).
const std::vector<Case>& catalogue() {
  static const std::vector<Case> cases = {
      {"truncated to 4 bytes", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 4); }, info,
       "model.safetensors", "too short for the 8-byte safetensors header length"},
      {"truncated inside the header", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 100); }, info,
       "model.safetensors", "is beyond the end of the file"},
      {"truncated inside the data", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", -1000); }, info,
       "model.safetensors", "is beyond the data area"},
      {"truncated to 0 bytes", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 0); }, info,
       "model.safetensors", "too short for the 8-byte safetensors header length"},
      {"truncated after the header length", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 8); }, info,
       "model.safetensors", "is beyond the end of the file"},
      {"truncated at half the data",
       [](auto& m, auto&) { truncateTo(m + "/model.safetensors", fileSize(m + "/model.safetensors") / 2); }, info,
       "model.safetensors", "is beyond the data area"},
      {"truncated by one byte", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", -1); }, info,
       "model.safetensors", "is beyond the data area"},
      {"header length huge", [](auto& m, auto&) { setHeaderLength(m + "/model.safetensors", uint64_t(1) << 62); }, info,
       "model.safetensors", "header length 4611686018427387904 is beyond the end of the file"},
      {"header length just past the end",
       [](auto& m, auto&) { setHeaderLength(m + "/model.safetensors", fs::file_size(m + "/model.safetensors") - 7); },
       info, "model.safetensors", "is beyond the end of the file"},
      {"offsets out of range",
       [](auto& m, auto&) {
         editHeader(m, [](json& h) { h[kDown]["data_offsets"] = json::array({0, 1000000000000LL}); });
       },
       info, "model.safetensors", "is beyond the data area"},
      {"overlapping offsets",
       [](auto& m, auto&) {
         editHeader(m, [](json& h) {
           h["model.layers.1.self_attn.q_proj.weight"]["data_offsets"] =
               h["model.layers.0.self_attn.q_proj.weight"]["data_offsets"];
         });
       },
       info, "model.safetensors", "overlap"},
      {"unknown dtype", [](auto& m, auto&) { editHeader(m, [](json& h) { h[kDown]["dtype"] = "Q9"; }); }, info,
       "model.safetensors", "unknown dtype 'Q9'"},
      {"shape and size mismatch",
       [](auto& m, auto&) { editHeader(m, [](json& h) {
                              h[kDown]["shape"] = json::array({192, 256});
                            }); }, info,
       "model.safetensors", "needs 98304 bytes but data_offsets span 196608"},
      {"shape against the config",
       [](auto& m, auto&) {
         editHeader(m, [](json& h) {
           h[kDown]["shape"] = json::array({512, 192});  // same bytes, transposed
         });
       },
       forward, "model.safetensors", "down_proj"},
      {"missing tensor", [](auto& m, auto&) { editHeader(m, [](json& h) { h.erase(kDown); }); }, forward,
       "model.safetensors", "missing tensor 'model.layers.0.mlp.down_proj.weight'"},
      {"extra tensor", [](auto& m, auto&) { addTensor(m, "model.layers.0.mlp.extra_proj.weight", 4); }, forward,
       "model.safetensors", "unexpected tensor 'model.layers.0.mlp.extra_proj.weight'"},
      {"extra layer beyond num_hidden_layers",
       [](auto& m, auto&) { addTensor(m, "model.layers.6.input_layernorm.weight", 192); }, forward, "model.safetensors",
       "unexpected tensor 'model.layers.6.input_layernorm.weight'"},
      {"NaN weight", [](auto& m, auto&) { setBf16(m, kO, 7, 0x7fc0); }, scan, "model.safetensors",
       "tensor 'model.layers.2.self_attn.o_proj.weight' holds 1 NaN and 0 infinite values (first at flat index 7)"},
      {"Inf weight", [](auto& m, auto&) { setBf16(m, kO, 0, 0x7f80); }, forward, "model.safetensors",
       "holds 0 NaN and 1 infinite values"},
      {"config missing key",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c.erase("hidden_size"); }); }, info,
       "config.json", "required key \"hidden_size\" is missing"},
      {"config wrong type",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["num_hidden_layers"] = "six"; }); }, info,
       "config.json", "\"num_hidden_layers\" must be an integer"},
      {"config hidden_size 10^9",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["hidden_size"] = 1000000002; }); }, forward,
       "config.json", "parameter count overflows 64 bits"},
      {"config 10^6 layers",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["num_hidden_layers"] = 1000000; }); }, info,
       "config.json", "\"num_hidden_layers\" is implausibly large (1000000)"},
      {"config negative intermediate_size",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["intermediate_size"] = -512; }); }, info,
       "config.json", "\"intermediate_size\" must be positive"},
      {"config 0 layers",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["num_hidden_layers"] = 0; }); }, info,
       "config.json", "\"num_hidden_layers\" must be positive"},
      {"config heads do not divide hidden",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["num_attention_heads"] = 5; }); }, info,
       "config.json", "hidden_size 192 is not divisible by num_attention_heads 5"},
      {"config vocabulary absurd",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["vocab_size"] = 1000000000000LL; }); }, info,
       "config.json", "\"vocab_size\" is implausibly large"},
      {"unknown architecture",
       [](auto& m, auto&) {
         editJson(m + "/config.json", [](json& c) {
           c["architectures"] = json::array({"MambaForCausalLM"});
           c["model_type"] = "mamba";
         });
       },
       info, "config.json", "unknown architecture 'MambaForCausalLM'"},
      {"config not JSON", [](auto& m, auto&) { writeFile(m + "/config.json", "{\"hidden_size\": 19"); }, info,
       "config.json", "JSON"},
      {"tokenizer without merges",
       [](auto& m, auto&) { editJson(m + "/tokenizer.json", [](json& t) { t["model"].erase("merges"); }); }, scan,
       "tokenizer.json", "BPE model has no \"merges\""},
      {"tokenizer missing", [](auto& m, auto&) { fs::remove(m + "/tokenizer.json"); }, scan, "tokenizer.json",
       "cannot open"},
      {"empty prompt file", [](auto&, auto& d) { writeFile(d + "/prompts.txt", ""); }, scanPrompts, "prompts.txt",
       "holds no text"},
      {"blank prompt file", [](auto&, auto& d) { writeFile(d + "/prompts.txt", "\n  \n\t\n"); }, scanPrompts,
       "prompts.txt", "holds no text"},
      {"binary prompt file",
       [](auto&, auto& d) { writeFile(d + "/prompts.txt", std::string("hello\n\xff\xfe\x00\x01world\n", 15)); },
       scanPrompts, "prompts.txt", "text 2 is not valid UTF-8"},
      {"garbage results JSON",
       [](auto&, auto& d) { writeFile(d + "/r.json", "{\"schema\":\"srdd-scan/1\",\"layers\":7}"); },
       [](const QString&, const QString& d) {
         return QStringList{"report", d + "/r.json"};
       },
       "r.json", "scan result"},
      {"results not JSON", [](auto&, auto& d) { writeFile(d + "/r.json", std::string("\x89PNG\r\n\x1a\n", 8)); },
       [](const QString&, const QString& d) {
         return QStringList{"report", d + "/r.json"};
       },
       "r.json", "not valid JSON"},
  };
  return cases;
}

}  // namespace

class TestBadInputCatalogue : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() {
    qputenv("SRDD_THREADS", "1");  // the child processes: one engine thread, no spinning on a busy machine
    qputenv("OMP_WAIT_POLICY", "PASSIVE");
  }
  void everyFaultIsOneClearLine_data() {
    QTest::addColumn<int>("row");
    for (size_t i = 0; i < catalogue().size(); ++i) QTest::newRow(catalogue()[i].name) << int(i);
  }
  void everyFaultIsOneClearLine() {
    QFETCH(int, row);
    const Case& c = catalogue()[row];
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString(), model = d + "/model";
    fs::copy(srdd_test::demoModelDir().toStdString(), model, fs::copy_options::recursive);
    c.make(model, d);

    QProcess p;
    p.setWorkingDirectory(dir.path());
    const QStringList args = c.args(QString::fromStdString(model), dir.path());
#ifdef SRDD_SANITIZED
    // AddressSanitizer reserves terabytes of address space for its shadow memory, so an address-space limit
    // would stop it from starting; packaging/run-sanitized.sh caps single allocations (max_allocation_size_mb).
    p.start(srdd_test::cliPath(), args);
#else
    p.start("prlimit", QStringList{QString("--as=%1").arg(kAddressSpaceLimit), "--", srdd_test::cliPath()} + args);
#endif
    QVERIFY2(p.waitForFinished(180000), "srdd hung (no exit within 180 s)");
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);  // no signal (abort, segfault, OOM kill)
    const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    QVERIFY2(p.exitCode() == 1, qPrintable(QString("exit %1: %2").arg(p.exitCode()).arg(err)));
    QVERIFY2(!err.contains('\n'), qPrintable("more than one line: " + err));
    QVERIFY2(err.contains(QString::fromUtf8(c.file)), qPrintable("does not name " + QString(c.file) + ": " + err));
    QVERIFY2(err.contains(QString::fromUtf8(c.problem)),
             qPrintable("does not say '" + QString(c.problem) + "': " + err));
    QVERIFY2(!err.contains("json.exception") && !err.contains("c10::") && !err.contains("std::bad_alloc"),
             qPrintable("library internals leak into the message: " + err));
  }
};

QTEST_APPLESS_MAIN(TestBadInputCatalogue)
#include "test_bad_input_catalogue.moc"
