// Fuzzes tokenizer.json: normalizer, pre-tokenizer, BPE model, merges and added tokens. A tokenizer that loads
// must encode a fixed text (ASCII, accents, CJK, an emoji, special-token look-alikes) and decode the ids back.
#include "fuzz_support.h"
#include "srdd/error.h"
#include "srdd/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = srdd_fuzz::scratchDir() / "tokenizer.json";
  srdd_fuzz::writeInput(path, data, size);
  try {
    const srdd::Tokenizer tok = srdd::Tokenizer::fromFile(path.string());
    const std::string text =
        "Hello world, it's 2026!\n  caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 <|endoftext|><s>";
    const std::vector<int64_t> ids = tok.encode(text);
    (void)tok.decode(ids, false);
    (void)tok.decode(ids, true);
    for (int64_t id : ids) (void)tok.idToToken(id);
    (void)tok.vocabSize();
    (void)tok.eosId();
    (void)tok.padId();
  } catch (const srdd::Error&) {
  }
  return 0;
}
