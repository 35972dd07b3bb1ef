// The tokenizer against the lead's Hugging Face fixture tests/fixtures/hf/tokenizer_cases.json
// ({"tokenizer": path under tests/fixtures/hf, "cases": [{"text", "ids", "decoded"}]}), made with
// `tokenizers` on a byte-level BPE trained with the Qwen2 pre-tokenizer and NFC.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "srdd/tokenizer.h"

#include <QtTest/QtTest>

#include "test_support.h"

class TestTokenizerHf : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void casesMatchHf() {
    const std::string root = srdd_test::fixturesDir().toStdString() + "/hf/";
    if (!std::filesystem::exists(root + "tokenizer_cases.json")) {
      QSKIP("tests/fixtures/hf/tokenizer_cases.json is absent (generated with HF tokenizers on the GPU host)");
    }
    std::ifstream in(root + "tokenizer_cases.json");
    const auto j = nlohmann::json::parse(in);
    const auto tok = srdd::Tokenizer::fromFile(root + j["tokenizer"].get<std::string>());
    QVERIFY(j["cases"].size() >= 20);
    for (const auto& c : j["cases"]) {
      const std::string text = c["text"].get<std::string>();
      const auto ids = c["ids"].get<std::vector<int64_t>>();
      const auto got = tok.encode(text);
      QVERIFY2(got == ids, ("encode " + nlohmann::json(text).dump() + " want " + c["ids"].dump() + " got " +
                            nlohmann::json(got).dump())
                               .c_str());
      QVERIFY2(tok.decode(ids) == c["decoded"].get<std::string>(), ("decode " + c["ids"].dump()).c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestTokenizerHf)
#include "test_tokenizer_hf.moc"
