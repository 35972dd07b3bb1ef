// Training corpus packing and the seeded data order of an AQN run.
#include "srdd/aqn_train.h"
#include "srdd/error.h"
#include "srdd/tokenizer.h"

namespace srdd::aqn {

PackedCorpus packCorpus(const Tokenizer& tokenizer, const std::vector<std::string>& texts, int seqLength,
                        std::optional<int64_t> separator, const std::string& source) {
  if (seqLength < 2)
    throw Error("training sequence length must be at least 2 tokens, got " + std::to_string(seqLength));
  std::vector<int64_t> ids;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0 && separator) ids.push_back(*separator);
    auto t = tokenizer.encode(texts[i]);
    ids.insert(ids.end(), t.begin(), t.end());
  }
  PackedCorpus c;
  c.source = source;
  c.tokens = static_cast<int64_t>(ids.size());
  const int64_t n = c.tokens / seqLength;
  if (n == 0)
    throw Error(source + ": the training text has " + std::to_string(c.tokens) + " tokens, fewer than one window of " +
                std::to_string(seqLength));
  c.windows = at::from_blob(ids.data(), {n, seqLength}, at::kLong).clone();
  return c;
}

namespace {
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

BatchSampler::BatchSampler(int64_t numWindows, int batchSize, uint64_t seed)
    : n_(numWindows), batch_(batchSize), state_(seed) {
  if (batchSize < 1) throw Error("batch size must be at least 1");
  if (numWindows < batchSize)
    throw Error("the training corpus gives " + std::to_string(numWindows) + " windows, fewer than the batch size " +
                std::to_string(batchSize) + " (use a longer text, a shorter --seq or a smaller --batch)");
  reshuffle();
}

// Fisher-Yates with our own generator, so that the order is the same with every standard library.
void BatchSampler::reshuffle() {
  order_.resize(static_cast<size_t>(n_));
  for (int64_t i = 0; i < n_; ++i) order_[static_cast<size_t>(i)] = i;
  for (int64_t i = n_ - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(splitmix64(state_) % static_cast<uint64_t>(i + 1));
    std::swap(order_[static_cast<size_t>(i)], order_[static_cast<size_t>(j)]);
  }
  pos_ = 0;
}

std::vector<int64_t> BatchSampler::next() {
  std::vector<int64_t> batch;
  for (int b = 0; b < batch_; ++b) {
    if (pos_ == order_.size()) reshuffle();
    batch.push_back(order_[pos_++]);
  }
  return batch;
}

}  // namespace srdd::aqn
