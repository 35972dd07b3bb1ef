// The binary tokenizer cache (core/src/tokenizer_cache.cpp): a cached load gives exactly what parsing the
// JSON gives (Hugging Face's ids for every fixture case, every token), is really read, and a damaged,
// stale or unwritable cache never changes a result.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "srdd/sha256.h"
#include "srdd/tokenizer.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

size_t filesIn(const std::string& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

}  // namespace

class TestTokenizerCache : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  std::string cacheDir_, jsonPath_, cachePath_;
  nlohmann::json cases_;

  // Every fixture case encodes to Hugging Face's ids and decodes back, and every id maps to the JSON's token.
  void checkAgainstHf(const srdd::Tokenizer& tok) {
    for (const auto& c : cases_["cases"]) {
      const auto ids = c["ids"].get<std::vector<int64_t>>();
      QCOMPARE(tok.encode(c["text"].get<std::string>()), ids);
      QCOMPARE(tok.decode(ids), c["decoded"].get<std::string>());
    }
    const auto doc = nlohmann::json::parse(readFile(jsonPath_));
    const auto& vocab = doc["model"]["vocab"];
    int64_t added = 0;  // added tokens that the model vocabulary lacks get ids of their own
    for (const auto& t : doc["added_tokens"]) added += vocab.contains(t["content"].get<std::string>()) ? 0 : 1;
    QCOMPARE(tok.vocabSize(), static_cast<int64_t>(vocab.size()) + added);
    for (const auto& [token, id] : vocab.items()) QCOMPARE(tok.idToToken(id.get<int64_t>()), token);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(tmp_.isValid());
    cacheDir_ = tmp_.path().toStdString() + "/cache";
    const std::string root = srdd_test::fixturesDir().toStdString() + "/hf/";
    cases_ = nlohmann::json::parse(readFile(root + "tokenizer_cases.json"));
    jsonPath_ = tmp_.path().toStdString() + "/tokenizer.json";
    fs::copy_file(root + cases_["tokenizer"].get<std::string>(), jsonPath_);
    cachePath_ = cacheDir_ + "/" + srdd::sha256Hex(readFile(jsonPath_)) + ".bin";
    qputenv("SRDD_TOKENIZER_CACHE", QByteArray::fromStdString(cacheDir_));
  }

  void firstLoadWritesTheCacheAndSecondReadsIt() {
    checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));
    QVERIFY(fs::exists(cachePath_));
    checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));

    // Proof that the second load came from the cache: a token renamed inside the cache file shows up.
    std::string blob = readFile(cachePath_);
    const std::string earth =
        "\xC4\xA0"
        "earth";  // "Ġearth", a token of the fixture vocabulary
    const size_t at = blob.find(earth);
    QVERIFY(at != std::string::npos);
    blob.replace(at, earth.size(),
                 "\xC4\xA0"
                 "heart");
    writeFile(cachePath_, blob);
    const auto tampered = srdd::Tokenizer::fromFile(jsonPath_);
    QVERIFY(tampered
                .tokenToId("\xC4\xA0"
                           "heart")
                .has_value());
    QVERIFY(!tampered.tokenToId(earth).has_value());
    fs::remove(cachePath_);
  }

  void damagedCacheIsIgnoredAndRewritten() {
    checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));
    const std::string good = readFile(cachePath_);
    QVERIFY(good.size() > 1000);
    std::vector<std::string> damaged;
    for (size_t cut : {size_t(0), size_t(5), size_t(12), good.size() / 3, good.size() - 1})
      damaged.push_back(good.substr(0, cut));
    std::string flipped = good;
    flipped[8] ^= 0x01;  // format version
    damaged.push_back(flipped);
    flipped = good;
    flipped[good.size() - 3] = '\xff';  // a merge id far outside the vocabulary
    damaged.push_back(flipped);
    damaged.push_back(good + "trailing");
    for (const auto& bytes : damaged) {
      writeFile(cachePath_, bytes);
      checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));
      QCOMPARE(readFile(cachePath_), good);  // replaced by a correct entry
    }
  }

  void editedJsonGetsItsOwnEntry() {
    const std::string edited = tmp_.path().toStdString() + "/edited.json";
    writeFile(edited, readFile(jsonPath_) + "\n");
    const size_t before = filesIn(cacheDir_);
    checkAgainstHf(srdd::Tokenizer::fromFile(edited));
    QCOMPARE(filesIn(cacheDir_), before + 1);
    QVERIFY(fs::exists(cacheDir_ + "/" + srdd::sha256Hex(readFile(edited)) + ".bin"));
  }

  void offAndUnwritableCachesStillLoad() {
    const std::string elsewhere = tmp_.path().toStdString() + "/unused";
    qputenv("SRDD_TOKENIZER_CACHE", "off");
    checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));
    QVERIFY(!fs::exists(elsewhere));
    // A cache path below a regular file can never be created.
    const std::string blocker = tmp_.path().toStdString() + "/blocker";
    writeFile(blocker, "x");
    qputenv("SRDD_TOKENIZER_CACHE", QByteArray::fromStdString(blocker + "/cache"));
    checkAgainstHf(srdd::Tokenizer::fromFile(jsonPath_));
    qputenv("SRDD_TOKENIZER_CACHE", QByteArray::fromStdString(cacheDir_));
  }
};

QTEST_APPLESS_MAIN(TestTokenizerCache)
#include "test_tokenizer_cache.moc"
