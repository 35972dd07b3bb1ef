// Hugging Face ids resolved in a local hub cache that is laid out the way huggingface_hub writes it: the demo
// model's files as blobs named by their SHA-256, snapshots of symlinks into them, refs naming the commits.
// Through the core function, the engine's info and hf_cache requests and the srdd tool.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "srdd/engine.h"
#include "srdd/hf_hub.h"
#include "srdd/model_summary.h"
#include "srdd/runtime.h"
#include "srdd/sha256.h"

#include <QtTest/QtTest>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

const char* kMain = "0123456789abcdef0123456789abcdef01234567";  // commits are 40 hex digits
const char* kOld = "89abcdef0123456789abcdef0123456789abcdef";

// A snapshot of the demo model: every file a relative symlink ../../blobs/SHA256, as the hub makes them.
void addSnapshot(const fs::path& repo, const std::string& commit) {
  const fs::path demo = srdd_test::demoModelDir().toStdString();
  fs::create_directories(repo / "blobs");
  fs::create_directories(repo / "snapshots" / commit);
  for (const char* name : {"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"}) {
    const std::string blob = srdd::sha256File((demo / name).string());
    if (!fs::exists(repo / "blobs" / blob)) fs::copy_file(demo / name, repo / "blobs" / blob);
    fs::create_symlink(fs::path("../../blobs") / blob, repo / "snapshots" / commit / name);
  }
}

void writeRef(const fs::path& repo, const std::string& ref, const std::string& commit) {
  fs::create_directories((repo / "refs" / ref).parent_path());
  std::ofstream(repo / "refs" / ref) << commit;  // the hub writes the hash without a newline
}

// Sets an environment variable for one scope, restoring the previous value (or its absence).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const QByteArray& value)
      : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name)) {
    value.isNull() ? qunsetenv(name) : qputenv(name, value);
  }
  ~ScopedEnv() { m_had ? qputenv(m_name, m_old) : qunsetenv(m_name); }

 private:
  const char* m_name;
  bool m_had;
  QByteArray m_old;
};

}  // namespace

class TestHfHub : public QObject {
  Q_OBJECT
  QTemporaryDir m_tmp;
  fs::path m_hub, m_repo;

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_hub = fs::path(m_tmp.path().toStdString()) / "hub";
    m_repo = m_hub / "models--org--tiny";
    addSnapshot(m_repo, kMain);
    addSnapshot(m_repo, kOld);
    writeRef(m_repo, "main", kMain);
    writeRef(m_repo, "pr/1", kOld);
    fs::create_directories(m_hub / "models--org--empty");
  }

  void cacheDirectoryFollowsTheHubRules() {
    ScopedEnv cache("HF_HUB_CACHE", "/c/hub"), home("HF_HOME", "/h"), xdg("XDG_CACHE_HOME", "/x"), user("HOME", "/u");
    QCOMPARE(srdd::hfHubCacheDirectory(), std::string("/c/hub"));
    qunsetenv("HF_HUB_CACHE");
    QCOMPARE(srdd::hfHubCacheDirectory(), std::string("/h/hub"));
    qunsetenv("HF_HOME");
    QCOMPARE(srdd::hfHubCacheDirectory(), std::string("/x/huggingface/hub"));
    qunsetenv("XDG_CACHE_HOME");
    QCOMPARE(srdd::hfHubCacheDirectory(), std::string("/u/.cache/huggingface/hub"));
  }

  void parsesIds_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("isId");
    QTest::addColumn<QString>("repo");
    QTest::addColumn<QString>("revision");
    QTest::newRow("org/name") << "Qwen/Qwen2.5-1.5B-Instruct" << true << "Qwen/Qwen2.5-1.5B-Instruct"
                              << "";
    QTest::newRow("commit") << "org/tiny@0123abc" << true << "org/tiny"
                            << "0123abc";
    QTest::newRow("ref with slash") << "org/tiny@pr/1" << true << "org/tiny"
                                    << "pr/1";
    QTest::newRow("underscores") << "my_org/my_model.v2" << true << "my_org/my_model.v2"
                                 << "";
    for (const char* notId : {"/abs/path", "./dir", "../up/x", "a/b/c", "name", "org/", "/name", "org/tiny@",
                              "org/.hidden", "org--x/y", "org/a..b", "org/tiny@../../x", "org/t iny", "org/tiny@main/"})
      QTest::newRow(notId) << notId << false << ""
                           << "";
  }
  void parsesIds() {
    QFETCH(QString, text);
    QFETCH(bool, isId);
    const auto id = srdd::parseHubModelId(text.toStdString());
    QCOMPARE(id.has_value(), isId);
    if (!id) return;
    QFETCH(QString, repo);
    QFETCH(QString, revision);
    QCOMPARE(QString::fromStdString(id->repo), repo);
    QCOMPARE(QString::fromStdString(id->revision), revision);
  }

  void resolvesRevisionsToSnapshots() {
    ScopedEnv cache("HF_HUB_CACHE", QByteArray::fromStdString(m_hub.string()));
    const std::string snapMain = (m_repo / "snapshots" / kMain).string(),
                      snapOld = (m_repo / "snapshots" / kOld).string();
    QCOMPARE(srdd::resolveModelDirectory("org/tiny"), snapMain);  // refs/main
    QCOMPARE(srdd::resolveModelDirectory("org/tiny@main"), snapMain);
    QCOMPARE(srdd::resolveModelDirectory("org/tiny@pr/1"), snapOld);                  // another ref
    QCOMPARE(srdd::resolveModelDirectory(std::string("org/tiny@") + kOld), snapOld);  // a commit
    QCOMPARE(srdd::resolveModelDirectory(""), srdd::defaultModelDirectory());
    QCOMPARE(srdd::resolveModelDirectory("no/such/dir"), std::string("no/such/dir"));  // a path, left to the caller
  }

  void anExistingPathWinsOverAnId() {
    ScopedEnv cache("HF_HUB_CACHE", QByteArray::fromStdString(m_hub.string()));
    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_tmp.path()));
    fs::create_directories("org/tiny");
    const std::string resolved = srdd::resolveModelDirectory("org/tiny");
    fs::remove_all("org");
    QDir::setCurrent(cwd);
    QCOMPARE(resolved, std::string("org/tiny"));
  }

  // Loading follows the symlinks into the blobs: the snapshot is the demo model, 6 layers (its config.json).
  void theSnapshotLoadsAsTheModel() {
    const std::string dir = srdd::resolveHubModel({"org/tiny", ""}, m_hub.string());
    const srdd::ModelSummary s = srdd::summarizeModel(dir);
    QCOMPARE(s.numLayers, int64_t(6));
    QCOMPARE(s.bytesOnDisk, int64_t(fs::file_size(srdd_test::demoModelDir().toStdString() + "/model.safetensors")));
  }

  void errorsNameTheIdTheCacheAndTheRevisions() {
    const std::string hub = m_hub.string();
    const QString noRev = srdd_test::errorOf([&] { srdd::resolveHubModel({"org/tiny", "v9"}, hub); });
    QVERIFY2(noRev.contains("'org/tiny@v9'") && noRev.contains(QString::fromStdString(m_repo.string())),
             qPrintable(noRev));
    QVERIFY2(noRev.contains(QString("main -> %1, pr/1 -> %2").arg(kMain, kOld)), qPrintable(noRev));
    QVERIFY2(noRev.contains(QString("snapshots %1, %2").arg(kMain, kOld)), qPrintable(noRev));

    const QString noRepo = srdd_test::errorOf([&] { srdd::resolveHubModel({"org/absent", ""}, hub); });
    QVERIFY2(noRepo.contains("'org/absent'") && noRepo.contains(QString::fromStdString(hub)) &&
                 noRepo.contains("no models--org--absent there") && noRepo.contains("never downloads"),
             qPrintable(noRepo));
    const QString noCache = srdd_test::errorOf([&] { srdd::resolveHubModel({"org/tiny", ""}, hub + "/missing"); });
    QVERIFY2(noCache.contains("the cache directory does not exist"), qPrintable(noCache));
    const QString empty = srdd_test::errorOf([&] { srdd::resolveHubModel({"org/empty", ""}, hub); });
    QVERIFY2(empty.contains("revisions found: none"), qPrintable(empty));
  }

  // The engine resolves ids in its requests, and lists the cache with the same code.
  void theEngineUsesTheSameResolution() {
    ScopedEnv cache("HF_HUB_CACHE", QByteArray::fromStdString(m_hub.string()));
    auto engine = srdd::engine::makeInProcessEngine();
    const auto info = srdd::engine::runJob(*engine, {{"type", "info"}, {"model", "org/tiny@pr/1"}});
    QCOMPARE(info.type, std::string("result"));
    QCOMPARE(info.body.at("directory").get<std::string>(), (m_repo / "snapshots" / kOld).string());
    const QString missing = srdd_test::errorOf([&] {
      srdd::engine::runJob(*engine, {{"type", "info"}, {"model", "org/absent"}});
    });
    QVERIFY2(missing.contains("'org/absent' is not in the local cache"), qPrintable(missing));

    const nlohmann::json listing = srdd::engine::runJob(*engine, {{"type", "hf_cache"}}).body;
    QCOMPARE(listing.at("cache_dir").get<std::string>(), m_hub.string());
    nlohmann::json expected = nlohmann::json::array();
    for (const char* commit : {kMain, kOld})
      expected.push_back(
          {{"repo", "org/tiny"}, {"revision", commit}, {"path", (m_repo / "snapshots" / commit).string()}});
    QCOMPARE(listing.at("models"), expected);
  }

  void theCliTakesAnId() {
    ScopedEnv cache("HF_HUB_CACHE", QByteArray::fromStdString(m_hub.string()));
    const auto ok = srdd_test::runCli({"info", "org/tiny", "--json"});
    QVERIFY2(ok.code == 0, qPrintable(ok.err));
    const auto j = nlohmann::json::parse(ok.out.toStdString());
    QCOMPARE(j.at("directory").get<std::string>(), (m_repo / "snapshots" / kMain).string());
    QCOMPARE(j.at("num_layers").get<int>(), 6);
    // A scan through the id reads the symlinked tokenizer and weights; its provenance names the snapshot.
    const QString out = m_tmp.filePath("scan.json");
    const auto scan = srdd_test::runCli({"scan", "org/tiny@pr/1", "--scans", "gain", "--prompts", "builtin:srdd",
                                         "--max-tokens", "8", "--quiet", "--no-report", "--out", out});
    QVERIFY2(scan.code == 0, qPrintable(scan.err));
    std::ifstream in(out.toStdString());
    const auto result = nlohmann::json::parse(in);
    QCOMPARE(result.at("provenance").at("model").at("path").get<std::string>(), (m_repo / "snapshots" / kOld).string());
    QCOMPARE(result.at("layers").size(), size_t(6));
    const auto bad = srdd_test::runCli({"info", "org/tiny@v9"});
    QVERIFY(bad.code != 0);
    QVERIFY2(bad.err.contains("no snapshot for revision 'v9'"), qPrintable(bad.err));
  }
};

QTEST_GUILESS_MAIN(TestHfHub)
#include "test_hf_hub.moc"
