// The tokenizer against Hugging Face `tokenizers` 0.23 itself: tests/fixtures/tokenizer-handmade/
// hf_cases.json was written by gen_hf_cases.py there (encode/decode of both handmade tokenizers,
// pre-tokenizer splits of the Qwen2 / Llama-3 / GPT-2 patterns and NFC, for tricky and random text).
#include <fstream>
#include <nlohmann/json.hpp>

#include "srdd/tokenizer.h"

#include <QtTest/QtTest>

#include "test_support.h"

using nlohmann::json;
using srdd::tokenizer_detail::SplitPattern;

namespace {

std::string dir() { return srdd_test::fixturesDir().toStdString() + "/tokenizer-handmade/"; }

const json& cases() {
  static const json j = [] {
    std::ifstream in(dir() + "hf_cases.json");
    if (!in) qFatal("missing tokenizer-handmade/hf_cases.json");
    return json::parse(in);
  }();
  return j;
}

std::string quoted(const std::string& s) { return json(s).dump(); }

}  // namespace

class TestTokenizerCrosscheck : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void encodeAndDecodeMatchHf_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("qwen2-nfc-string-merges") << "tokenizer.json";
    QTest::newRow("gpt2-bytelevel-pair-merges") << "tokenizer-gpt2.json";
  }
  void encodeAndDecodeMatchHf() {
    QFETCH(QString, file);
    const json& block = cases()["encode"][file.toStdString()];
    const auto tok = srdd::Tokenizer::fromFile(dir() + file.toStdString());
    QCOMPARE(tok.vocabSize(), block["vocab_size"].get<int64_t>());
    int checked = 0;
    for (const auto& c : block["cases"]) {
      const auto ids = c["ids"].get<std::vector<int64_t>>();
      if (!c.contains("ids_only")) {
        const std::string text = c["text"].get<std::string>();
        QVERIFY2(
            tok.encode(text) == ids,
            ("encode " + quoted(text) + " want " + c["ids"].dump() + " got " + json(tok.encode(text)).dump()).c_str());
      }
      QVERIFY2(tok.decode(ids) == c["decoded"].get<std::string>(), ("decode " + c["ids"].dump()).c_str());
      QVERIFY2(tok.decode(ids, true) == c["decoded_skip"].get<std::string>(),
               ("decode skip " + c["ids"].dump()).c_str());
      ++checked;
    }
    QVERIFY(checked > 400);
  }

  void preTokenizerSplitsMatchHf() {
    const std::map<std::string, SplitPattern> patterns{
        {"qwen2", SplitPattern::Qwen2}, {"llama3", SplitPattern::Llama3}, {"gpt2", SplitPattern::Gpt2}};
    for (const auto& [name, pattern] : patterns) {
      for (const auto& c : cases()["split"][name]) {
        const std::string text = c["text"].get<std::string>();
        const auto got = srdd::tokenizer_detail::splitPreTokens(text, pattern);
        QVERIFY2(got == c["pieces"].get<std::vector<std::string>>(),
                 (name + " " + quoted(text) + " want " + c["pieces"].dump() + " got " + json(got).dump()).c_str());
      }
    }
  }

  void nfcMatchesHf() {
    for (const auto& c : cases()["nfc"]) {
      const std::string text = c["text"].get<std::string>();
      QVERIFY2(srdd::tokenizer_detail::nfc(text) == c["nfc"].get<std::string>(), quoted(text).c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestTokenizerCrosscheck)
#include "test_tokenizer_crosscheck.moc"
