// The byte-level BPE tokenizer against hand-derived truth: Unicode NFC, the pre-tokenizer splits,
// GPT-2's byte map, BPE merges on tests/fixtures/tokenizer-handmade, added-token flags, decoding,
// errors and the `srdd tokenize` command.
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <nlohmann/json.hpp>

#include "srdd/error.h"
#include "srdd/tokenizer.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "test_support.h"

using srdd::Tokenizer;
using srdd::tokenizer_detail::SplitPattern;
using Ids = std::vector<int64_t>;
using Strings = std::vector<std::string>;

namespace {

std::string handmade(const char* name = "tokenizer.json") {
  return srdd_test::fixturesDir().toStdString() + "/tokenizer-handmade/" + name;
}

std::string u8(const char* s) { return s; }

void writeFile(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The handmade tokenizer.json with one part replaced, to provoke load errors.
std::string variant(const QTemporaryDir& dir, const std::function<void(nlohmann::json&)>& edit) {
  std::ifstream in(handmade());
  nlohmann::json j = nlohmann::json::parse(in);
  edit(j);
  std::string path = dir.path().toStdString() + "/variant.json";
  writeFile(path, j.dump());
  return path;
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void byteMapIsGpt2s() {
    const auto& m = srdd::tokenizer_detail::byteToUnicode();
    QCOMPARE(m['!'], std::string("!"));
    QCOMPARE(m['~'], std::string("~"));
    QCOMPARE(m[0xA1], std::string("\u00A1"));
    QCOMPARE(m[0xFF], std::string("\u00FF"));
    QCOMPARE(m[0x00], std::string("\u0100"));  // non-printables take 256, 257, ... in byte order
    QCOMPARE(m[0x0A], std::string("\u010A"));  // Ċ
    QCOMPARE(m[0x20], std::string("\u0120"));  // Ġ
    QCOMPARE(m[0x7F], std::string("\u0121"));
    QCOMPARE(m[0xAD], std::string("\u0143"));  // the soft hyphen is the last non-printable: 256 + 67
    std::set<std::string> distinct(m.begin(), m.end());
    QCOMPARE(distinct.size(), size_t(256));
  }

  void nfcHandDerived() {
    using srdd::tokenizer_detail::nfc;
    QCOMPARE(nfc("plain ascii"), u8("plain ascii"));
    QCOMPARE(nfc("e\u0301"), u8("\u00E9"));
    QCOMPARE(nfc("\u1100\u1161\u11A8"), u8("\uAC01"));   // Hangul L V T -> 각
    QCOMPARE(nfc("\uAC00\u11A8"), u8("\uAC01"));         // LV + T
    QCOMPARE(nfc("a\u0323\u0302"), u8("\u1EAD"));        // a + dot below (220) + circumflex (230) -> ậ
    QCOMPARE(nfc("a\u0302\u0323"), u8("\u1EAD"));        // reordered by combining class first
    QCOMPARE(nfc("e\u0301\u0301"), u8("\u00E9\u0301"));  // the second acute is blocked
    QCOMPARE(nfc("\u0301e"), u8("\u0301e"));             // no starter before the mark
    QCOMPARE(nfc("\u212B"), u8("\u00C5"));               // Angstrom sign: singleton decomposition
    QCOMPARE(nfc("\u2126"), u8("\u03A9"));               // Ohm sign
    QCOMPARE(nfc("\u0344"), u8("\u0308\u0301"));         // non-starter decomposition never recomposes
    QCOMPARE(nfc("\u0958"), u8("\u0915\u093C"));         // composition exclusion
    QCOMPARE(nfc("\uFB01"), u8("\uFB01"));               // compatibility ligature stays under NFC
    QVERIFY_THROWS_EXCEPTION(srdd::Error, nfc("\xC3"));
  }

  void qwen2SplitsHandDerived() {
    auto split = [](const std::string& s) { return srdd::tokenizer_detail::splitPreTokens(s, SplitPattern::Qwen2); };
    QCOMPARE(split("Hello  world"), (Strings{"Hello", " ", " world"}));  // \s+(?!\S) gives back one space
    QCOMPARE(split("a\r\n\r\nb"), (Strings{"a", "\r\n\r\n", "b"}));
    QCOMPARE(split("   x"), (Strings{"  ", " x"}));
    QCOMPARE(split("x   "), (Strings{"x", "   "}));
    QCOMPARE(split("don't"), (Strings{"don", "'t"}));
    QCOMPARE(split("I'LL"), (Strings{"I", "'LL"}));  // case-insensitive contractions
    QCOMPARE(split("123"), (Strings{"1", "2", "3"}));
    QCOMPARE(split("\u00A0x"), (Strings{"\u00A0x"}));  // NBSP is the optional non-letter prefix
    QCOMPARE(split("x ?!\n\ny"), (Strings{"x", " ?!\n\n", "y"}));
    QCOMPARE(split("a \n b"), (Strings{"a", " \n", " b"}));  // \s*[\r\n]+ stops at the last newline
    QCOMPARE(split("\u4E2D\u6587,\u00E9"), (Strings{"\u4E2D\u6587", ",\u00E9"}));
    QCOMPARE(split(""), Strings{});
  }

  void otherPatternsHandDerived() {
    using srdd::tokenizer_detail::splitPreTokens;
    QCOMPARE(splitPreTokens("12345", SplitPattern::Llama3), (Strings{"123", "45"}));
    QCOMPARE(splitPreTokens("I'LL 123  x", SplitPattern::Gpt2), (Strings{"I", "'", "LL", " 123", " ", " x"}));
    QCOMPARE(splitPreTokens("don't ?!", SplitPattern::Gpt2), (Strings{"don", "'t", " ?!"}));
  }

  void encodesHandmadeBpe() {
    const auto tok = Tokenizer::fromFile(handmade());
    QCOMPARE(tok.encode("Hello world"), (Ids{262, 267}));
    QCOMPARE(tok.encode("abc"), (Ids{97, 277}));  // "b c" outranks "a b"; "ab" is not a single word here
    QCOMPARE(tok.encode("xxxx"), (Ids{280}));
    QCOMPARE(tok.encode("xxx"), (Ids{279, 120}));  // equal ranks merge leftmost first
    QCOMPARE(tok.encode("don't"), (Ids{274, 110, 276}));
    QCOMPARE(tok.encode("123"), (Ids{49, 50, 51}));  // Qwen2 splits digits, so "1 2" never applies
    QCOMPARE(tok.encode("\u4E2D"), (Ids{282}));
    QCOMPARE(tok.encode("\U0001F600"), (Ids{289}));
    QCOMPARE(tok.encode("  \n\n"), (Ids{268, 270}));  // one whitespace+newline pre-token: "ĠĠ" "ĊĊ"
    QCOMPARE(tok.encode(""), Ids{});
    QVERIFY_THROWS_EXCEPTION(srdd::Error, tok.encode("bad \xFF byte"));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, tok.encode("\xED\xA0\x80"));  // encoded surrogate
  }

  void addedTokensHonourFlags() {
    const auto tok = Tokenizer::fromFile(handmade());
    QCOMPARE(tok.encode("<|im_start|>user\nHi<|im_end|>"), (Ids{298, 117, 115, 101, 114, 10, 72, 105, 299}));
    QCOMPARE(tok.encode("x<|endoftext|>y"), (Ids{120, 297, 121}));
    QCOMPARE(tok.encode("a  <mask>  b"), (Ids{97, 300, 98}));  // lstrip and rstrip take the spaces
    QCOMPARE(tok.encode("cafe\u0301"), (Ids{301}));            // normalized token matched after NFC
    QCOMPARE(tok.encode("ab cd"), (Ids{278, 32, 99, 100}));    // single_word "ab" stands alone
    QCOMPARE(tok.encode("xab"), (Ids{120, 278}));              // not a single word: plain BPE (a b)
  }

  void gpt2VariantWithPairMerges() {
    const auto tok = Tokenizer::fromFile(handmade("tokenizer-gpt2.json"));
    QCOMPARE(tok.encode("Hello world"), (Ids{262, 267}));
    QCOMPARE(tok.encode("123"), (Ids{286, 51}));  // GPT-2 keeps digit runs together
    // No normalizer: "e" and U+0301 stay apart ("caf" is merge result 292, U+0301 is bytes CC 81).
    QCOMPARE(tok.encode("cafe\u0301"), (Ids{292, 101, 204, 129}));
  }

  void decodes() {
    const auto tok = Tokenizer::fromFile(handmade());
    QCOMPARE(tok.decode({262, 267}), u8("Hello world"));
    QCOMPARE(tok.decode({298, 72, 105, 299}), u8("<|im_start|>Hi<|im_end|>"));
    QCOMPARE(tok.decode({298, 72, 105, 299}, true), u8("Hi"));
    // Not special, so kept; HF's ByteLevel decoder maps its "é" (a byte character) to byte E9,
    // which from_utf8_lossy turns into U+FFFD.
    QCOMPARE(tok.decode({301}, true), u8("caf\uFFFD"));
    QCOMPARE(tok.decode({0xE4}), u8("\uFFFD"));                          // lone lead byte
    QCOMPARE(tok.decode({0xE4, 0xB8, 104}), u8("\uFFFDh"));              // truncated sequence: one U+FFFD
    QCOMPARE(tok.decode({0xC0, 0x80}), u8("\uFFFD\uFFFD"));              // C0 never starts a sequence
    QCOMPARE(tok.decode({0xED, 0xA0, 0x80}), u8("\uFFFD\uFFFD\uFFFD"));  // surrogate: three subparts
    QVERIFY_THROWS_EXCEPTION(srdd::Error, tok.decode({100000}));
    for (const char* text : {"Hello  world\r\n", "\u4E2D\u6587 \U0001F468\u200D\U0001F469", "I'LL 123"}) {
      QCOMPARE(tok.decode(tok.encode(text)), u8(text));
    }
  }

  void vocabularyQueries() {
    const auto tok = Tokenizer::fromFile(handmade());
    QCOMPARE(tok.vocabSize(), int64_t(302));  // 297 model tokens + 5 added ("ab" is already a model token)
    QCOMPARE(tok.tokenToId("<mask>"), std::optional<int64_t>(300));
    QCOMPARE(tok.tokenToId("\u0120world"), std::optional<int64_t>(267));
    QCOMPARE(tok.tokenToId("nope"), std::optional<int64_t>());
    QCOMPARE(tok.idToToken(301), u8("caf\u00E9"));
    QCOMPARE(tok.idToToken(258), u8("\u0120the"));
    QCOMPARE(tok.eosId(), std::optional<int64_t>(297));
    QCOMPARE(tok.padId(), std::optional<int64_t>(297));
    QVERIFY_THROWS_EXCEPTION(srdd::Error, tok.idToToken(-1));
  }

  void loadErrorsNameTheFileAndFault_data() {
    QTest::addColumn<QString>("part");
    QTest::addColumn<QString>("expected");
    QTest::newRow("model") << "model"
                           << "model type \"WordPiece\" is not BPE";
    QTest::newRow("normalizer") << "normalizer"
                                << "unsupported normalizer \"NFKC\"";
    QTest::newRow("pattern") << "pattern"
                             << "unsupported pre-tokenizer Split pattern \"\\w+\"";
    QTest::newRow("pretok") << "pretok"
                            << "unsupported pre-tokenizer \"Whitespace\"";
    QTest::newRow("decoder") << "decoder"
                             << "unsupported decoder \"WordPiece\"";
    QTest::newRow("merge") << "merge"
                           << "uses token \"zz\" that is not in the vocabulary";
    QTest::newRow("mergeform") << "mergeform"
                               << "merge #0 \"a b c\" is not two tokens";
    QTest::newRow("dropout") << "dropout"
                             << "unsupported BPE dropout";
  }
  void loadErrorsNameTheFileAndFault() {
    QFETCH(QString, part);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const std::string path = variant(dir, [&](nlohmann::json& j) {
      if (part == "model") j["model"]["type"] = "WordPiece";
      if (part == "normalizer") j["normalizer"] = {{"type", "NFKC"}};
      if (part == "pattern") j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "\\w+";
      if (part == "pretok") j["pre_tokenizer"] = {{"type", "Whitespace"}};
      if (part == "decoder") j["decoder"] = {{"type", "WordPiece"}};
      if (part == "merge") j["model"]["merges"].push_back("zz a");
      if (part == "mergeform") j["model"]["merges"][0] = "a b c";
      if (part == "dropout") j["model"]["dropout"] = 0.1;
    });
    try {
      Tokenizer::fromFile(path);
      QFAIL("no error");
    } catch (const srdd::Error& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());
      QVERIFY2(msg.find(expected.toStdString()) != std::string::npos, msg.c_str());
    }
  }

  void fileErrors() {
    QTemporaryDir dir;
    const std::string missing = dir.path().toStdString() + "/missing.json";
    const std::string broken = dir.path().toStdString() + "/broken.json";
    writeFile(broken, "{\"model\": ");
    for (const auto& path : {missing, broken}) {
      try {
        Tokenizer::fromFile(path);
        QFAIL("no error");
      } catch (const srdd::Error& e) {
        QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
      }
    }
  }

  void encodesAMegabyteQuickly() {
    const auto tok = Tokenizer::fromFile(handmade());
    const std::string unit =
        "Hello world, it's 2024.\r\n  \u4E2D\u6587 caf\u00E9 e\u0301 \U0001F468\u200D\U0001F469 <mask> xxx\n";
    std::string text;
    while (text.size() < (1u << 20)) text += unit;
    auto t0 = std::chrono::steady_clock::now();
    const Ids ids = tok.encode(text);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("encoded %zu bytes into %zu ids in %.3f s", text.size(), ids.size(), seconds);
    Ids expected;  // the unit ends in a newline, so copies of it tokenize independently
    const Ids unitIds = tok.encode(unit);
    for (size_t done = 0; done < text.size(); done += unit.size())
      expected.insert(expected.end(), unitIds.begin(), unitIds.end());
    QCOMPARE(ids, expected);
    QVERIFY2(seconds < 5.0, "encoding 1 MB took longer than 5 s");
  }

  void cliEncodesAndDecodes() {
    QProcess p;
    const QString file = QString::fromStdString(handmade());
    p.start(srdd_test::cliPath(), {"tokenize", "--tokenizer", file, "--text", "Hello world<|im_end|>", "--json"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
    QCOMPARE(j["ids"].get<Ids>(), (Ids{262, 267, 299}));
    QCOMPARE(j["tokens"].get<Strings>(), (Strings{"Hello", "\u0120world", "<|im_end|>"}));

    p.start(srdd_test::cliPath(), {"tokenize", "--tokenizer", file, "--decode", "262 267,299", "--skip-special"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(p.readAllStandardOutput(), QByteArray("Hello world\n"));

    p.start(srdd_test::cliPath(), {"tokenize", "--tokenizer", file, "--decode", "262 x"});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 1);
    QVERIFY(p.readAllStandardError().contains("--decode"));
  }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
