#include "srdd/evaluation.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "srdd/error.h"
#include "srdd/model.h"
#include "srdd/tokenizer.h"
#include "unicode_text.h"

namespace srdd {

LossResult evaluateLoss(const Model& model, const std::vector<std::vector<int64_t>>& sequences, int batchSize,
                        ForwardHooks* hooks) {
  if (sequences.empty()) throw Error("no sequences to evaluate (the text set is empty)");
  if (batchSize < 1) throw Error("batch size must be at least 1, got " + std::to_string(batchSize));
  c10::NoGradGuard noGrad;
  LossResult r;
  double totalLoss = 0;
  for (size_t start = 0; start < sequences.size(); start += static_cast<size_t>(batchSize)) {
    const size_t end = std::min(sequences.size(), start + static_cast<size_t>(batchSize));
    std::vector<std::vector<int64_t>> chunk(sequences.begin() + static_cast<long>(start),
                                            sequences.begin() + static_cast<long>(end));
    auto batch = Batch::fromSequences(chunk, model.device());
    auto logits = model.forward(batch, hooks, /*allLogits=*/true).logits;  // [B, T, V]
    const int64_t t = logits.size(1);
    if (t < 2) {
      for (size_t i = 0; i < chunk.size(); ++i) {
        r.perSequenceLoss.push_back(std::nan(""));
        r.perSequenceTokens.push_back(0);
      }
      continue;
    }
    auto logp = at::log_softmax(logits.narrow(1, 0, t - 1).to(at::kFloat), -1);
    auto targets = batch.inputIds.narrow(1, 1, t - 1);
    auto nll = -logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1);  // [B, T-1]
    auto valid = batch.attentionMask.narrow(1, 1, t - 1);
    auto sums = at::where(valid, nll, at::zeros_like(nll)).sum(1).to(at::kDouble).cpu();
    auto sumsA = sums.accessor<double, 1>();
    for (size_t i = 0; i < chunk.size(); ++i) {
      const int64_t n = batch.lengths[i] - 1;
      const double s = sumsA[static_cast<int64_t>(i)];
      if (!std::isfinite(s))
        throw Error("loss of sequence " + std::to_string(start + i) +
                    " is not finite (NaN or Inf in the model output)");
      r.perSequenceTokens.push_back(n);
      r.perSequenceLoss.push_back(n > 0 ? s / static_cast<double>(n) : std::nan(""));
      totalLoss += s;
      r.tokens += n;
    }
  }
  if (r.tokens == 0) throw Error("no sequence has two or more tokens, so there is nothing to predict");
  double meanSum = 0;
  int counted = 0;
  for (double l : r.perSequenceLoss) {
    if (!std::isnan(l)) {
      meanSum += l;
      ++counted;
    }
  }
  r.meanLoss = meanSum / counted;
  r.tokenWeightedLoss = totalLoss / static_cast<double>(r.tokens);
  r.perplexity = std::exp(r.tokenWeightedLoss);
  return r;
}

std::vector<std::vector<int64_t>> tokenizeIntoWindows(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                                      int64_t maxTokens) {
  if (maxTokens < 2) throw Error("window length must be at least 2 tokens, got " + std::to_string(maxTokens));
  std::vector<std::vector<int64_t>> windows;
  for (const auto& text : texts) {
    auto ids = tokenizer.encode(text);
    for (size_t start = 0; start < ids.size(); start += static_cast<size_t>(maxTokens)) {
      const size_t end = std::min(ids.size(), start + static_cast<size_t>(maxTokens));
      if (end - start >= 2)
        windows.emplace_back(ids.begin() + static_cast<long>(start), ids.begin() + static_cast<long>(end));
    }
  }
  return windows;
}

namespace {
// Names the file and the line of the first byte that is not UTF-8 (a binary file given as prompts, say).
void requireUtf8(const std::string& path, const std::vector<std::string>& texts, bool perLine) {
  std::vector<char32_t> ignored;
  for (size_t i = 0; i < texts.size(); ++i) {
    size_t offset = 0;
    if (unicode::decodeUtf8(texts[i], ignored, offset)) continue;
    const std::string where =
        perLine ? "text " + std::to_string(i + 1)
                : "line " + std::to_string(1 + std::count(texts[i].begin(), texts[i].begin() + offset, '\n'));
    throw Error(path + ": " + where + " is not valid UTF-8 (ill-formed byte at offset " + std::to_string(offset) +
                "); is this a text file?");
  }
}
}  // namespace

std::vector<std::string> readTexts(const std::string& path, bool perLine) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open text file");
  std::vector<std::string> texts;
  const bool jsonl = path.size() >= 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0;
  if (jsonl || perLine) {
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
      ++lineNo;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (!jsonl) {
        texts.push_back(line);
        continue;
      }
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception& e) {
        throw Error(path + ":" + std::to_string(lineNo) + ": malformed JSON line");
      }
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string())
        throw Error(path + ":" + std::to_string(lineNo) + ": JSON line has no string field \"text\"");
      texts.push_back(j["text"].get<std::string>());
    }
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find_first_not_of(" \t\r\n") != std::string::npos) texts.push_back(ss.str());
  }
  if (in.bad()) throw Error(path + ": read error");
  if (texts.empty()) throw Error(path + ": holds no text");
  requireUtf8(path, texts, jsonl || perLine);
  return texts;
}

}  // namespace srdd
