// The bad-input catalogue (docs/reliability.md): one row per fault, each made from a copy of the demo model
// or as a real file. Every row runs the real `srdd` under an 8 GB address-space limit and a time limit and
// must end with exit code 1 and one stderr line that names the file and the problem: no signal, no hang,
// no allocation from an unchecked size.
#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// model.safetensors split into its JSON header and data area, and written back (header padded to 8 bytes).
struct Safetensors {
  json header;
  std::string data;
  static Safetensors read(const std::string& path) {
    const std::string b = readFile(path);
    uint64_t n = 0;
    std::memcpy(&n, b.data(), 8);
    return {json::parse(b.substr(8, n)), b.substr(8 + n)};
  }
  void write(const std::string& path) const {
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    uint64_t n = h.size();
    writeFile(path, std::string(reinterpret_cast<const char*>(&n), 8) + h + data);
  }
};

struct Case {
  const char* name;
  std::function<void(const std::string& model, const std::string& dir)> make;  // mutates the model copy
  std::function<QStringList(const QString& model, const QString& dir)> args;   // the srdd command line
  const char* file;      // the file the message must name, relative to the model copy ("" = DIR/<file>)
  const char* problem;   // what the message must say
};

void editHeader(const std::string& model, const std::function<void(json&)>& edit) {
  auto st = Safetensors::read(model + "/model.safetensors");
  edit(st.header);
  st.write(model + "/model.safetensors");
}
void editJson(const std::string& path, const std::function<void(json&)>& edit) {
  json j = json::parse(readFile(path));
  edit(j);
  writeFile(path, j.dump(1));
}
void truncateTo(const std::string& path, int64_t size) {
  const std::string b = readFile(path);
  writeFile(path, b.substr(0, size < 0 ? b.size() + size : size));
}
// Overwrites one bf16 element of a tensor with the given bit pattern (0x7fc0 = NaN, 0x7f80 = +Inf).
void setBf16(const std::string& model, const std::string& tensor, int64_t index, uint16_t bits) {
  auto st = Safetensors::read(model + "/model.safetensors");
  const int64_t at = st.header[tensor]["data_offsets"][0].get<int64_t>() + 2 * index;
  std::memcpy(&st.data[at], &bits, 2);
  st.write(model + "/model.safetensors");
}

const std::string kDown = "model.layers.0.mlp.down_proj.weight";
const std::string kO = "model.layers.2.self_attn.o_proj.weight";

QStringList info(const QString& m, const QString&) { return {"info", m}; }
QStringList forward(const QString& m, const QString&) { return {"forward", m, "--ids", "1 2 3"}; }
QStringList scan(const QString& m, const QString& d) {
  return {"scan", m, "--scans", "gain", "--quiet", "--no-report", "--out", d + "/r.json"};
}
QStringList scanPrompts(const QString& m, const QString& d) { return scan(m, d) << "--prompts" << d + "/prompts.txt"; }
auto none = [](const std::string&, const std::string&) {};

const std::vector<Case>& catalogue() {
  static const std::vector<Case> cases = {
      {"truncated to 4 bytes", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 4); }, info,
       "model.safetensors", "too short for the 8-byte safetensors header length"},
      {"truncated inside the header", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", 100); }, info,
       "model.safetensors", "is beyond the end of the file"},
      {"truncated inside the data", [](auto& m, auto&) { truncateTo(m + "/model.safetensors", -1000); }, info,
       "model.safetensors", "is beyond the data area"},
      {"header length huge",
       [](auto& m, auto&) {
         std::string b = readFile(m + "/model.safetensors");
         const uint64_t huge = uint64_t(1) << 62;
         std::memcpy(&b[0], &huge, 8);
         writeFile(m + "/model.safetensors", b);
       },
       info, "model.safetensors", "header length 4611686018427387904 is beyond the end of the file"},
      {"offsets out of range",
       [](auto& m, auto&) { editHeader(m, [](json& h) { h[kDown]["data_offsets"] = {0, 1000000000000LL}; }); }, info,
       "model.safetensors", "is beyond the data area"},
      {"overlapping offsets",
       [](auto& m, auto&) {
         editHeader(m, [](json& h) {
           h["model.layers.1.self_attn.q_proj.weight"]["data_offsets"] = h["model.layers.0.self_attn.q_proj.weight"]["data_offsets"];
         });
       },
       info, "model.safetensors", "overlap"},
      {"unknown dtype", [](auto& m, auto&) { editHeader(m, [](json& h) { h[kDown]["dtype"] = "Q9"; }); }, info,
       "model.safetensors", "unknown dtype 'Q9'"},
      {"shape and size mismatch",
       [](auto& m, auto&) { editHeader(m, [](json& h) { h[kDown]["shape"] = {192, 256}; }); }, info,
       "model.safetensors", "needs 98304 bytes but data_offsets span 196608"},
      {"shape against the config",
       [](auto& m, auto&) {
         editHeader(m, [](json& h) {
           h[kDown]["shape"] = {512, 192};  // same bytes, transposed
         });
       },
       forward, "model.safetensors", "down_proj"},
      {"missing tensor", [](auto& m, auto&) { editHeader(m, [](json& h) { h.erase(kDown); }); }, forward,
       "model.safetensors", "missing tensor 'model.layers.0.mlp.down_proj.weight'"},
      {"NaN weight", [](auto& m, auto&) { setBf16(m, kO, 7, 0x7fc0); }, scan, "model.safetensors",
       "tensor 'model.layers.2.self_attn.o_proj.weight' holds 1 NaN and 0 infinite values (first at flat index 7)"},
      {"Inf weight", [](auto& m, auto&) { setBf16(m, kO, 0, 0x7f80); }, forward, "model.safetensors",
       "holds 0 NaN and 1 infinite values"},
      {"config missing key", [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c.erase("hidden_size"); }); },
       info, "config.json", "required key \"hidden_size\" is missing"},
      {"config wrong type",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["num_hidden_layers"] = "six"; }); }, info,
       "config.json", "\"num_hidden_layers\" must be an integer"},
      {"config hidden_size 10^9",
       [](auto& m, auto&) { editJson(m + "/config.json", [](json& c) { c["hidden_size"] = 1000000002; }); }, forward,
       "config.json", "parameter count overflows 64 bits"},
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
           c["architectures"] = {"MambaForCausalLM"};
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
      {"garbage results JSON", [](auto&, auto& d) { writeFile(d + "/r.json", "{\"schema\":\"srdd-scan/1\",\"layers\":7}"); },
       [](const QString&, const QString& d) { return QStringList{"report", d + "/r.json"}; }, "r.json",
       "scan result"},
      {"results not JSON", [](auto&, auto& d) { writeFile(d + "/r.json", std::string("\x89PNG\r\n\x1a\n", 8)); },
       [](const QString&, const QString& d) { return QStringList{"report", d + "/r.json"}; }, "r.json",
       "not valid JSON"},
  };
  return cases;
}

}  // namespace

class TestBadInputCatalogue : public QObject {
  Q_OBJECT
 private Q_SLOTS:
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
    p.start("prlimit", QStringList{"--as=8000000000", "--", srdd_test::cliPath()} + args);
#endif
    QVERIFY2(p.waitForFinished(180000), "srdd hung (no exit within 180 s)");
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);  // no signal (abort, segfault, OOM kill)
    const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    QVERIFY2(p.exitCode() == 1, qPrintable(QString("exit %1: %2").arg(p.exitCode()).arg(err)));
    QVERIFY2(!err.contains('\n'), qPrintable("more than one line: " + err));
    QVERIFY2(err.contains(QString::fromUtf8(c.file)), qPrintable("does not name " + QString(c.file) + ": " + err));
    QVERIFY2(err.contains(QString::fromUtf8(c.problem)), qPrintable("does not say '" + QString(c.problem) + "': " + err));
    QVERIFY2(!err.contains("json.exception") && !err.contains("c10::") && !err.contains("std::bad_alloc"),
             qPrintable("library internals leak into the message: " + err));
  }
};

QTEST_APPLESS_MAIN(TestBadInputCatalogue)
#include "test_bad_input_catalogue.moc"
