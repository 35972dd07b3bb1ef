#pragma once
// Next-token cross-entropy of a model over a set of token sequences or texts.
#include <cstdint>
#include <string>
#include <vector>

#include "srdd/forward_hooks.h"

namespace srdd {

class Model;
class Tokenizer;

struct LossResult {
  std::vector<double> perSequenceLoss;     // mean CE of each sequence (NaN for a 1-token sequence)
  std::vector<int64_t> perSequenceTokens;  // predicted tokens per sequence (length - 1)
  double meanLoss = 0;                     // unweighted mean over sequences that predict >= 1 token
  double tokenWeightedLoss = 0;            // total CE / total predicted tokens
  double perplexity = 0;                   // exp(tokenWeightedLoss)
  int64_t tokens = 0;
};

// Runs the sequences in batches of `batchSize` (right-padded) and averages the next-token CE in fp32.
// srdd::Error for an empty list, a sequence with no predictable token in every position, or a
// non-finite loss (naming the sequence).
LossResult evaluateLoss(const Model& model, const std::vector<std::vector<int64_t>>& sequences, int batchSize = 8,
                        ForwardHooks* hooks = nullptr);

// Tokenizes each text and cuts it into windows of at most `maxTokens` tokens (windows shorter
// than 2 tokens are dropped: they predict nothing).
std::vector<std::vector<int64_t>> tokenizeIntoWindows(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                                      int64_t maxTokens);

// Reads texts: a .jsonl file gives one text per line from its "text" field; any other file is one
// text per non-empty line when `perLine`, else the whole file is one text. srdd::Error naming the
// file (and line) when it is missing, unreadable, malformed or holds no text.
std::vector<std::string> readTexts(const std::string& path, bool perLine);

}  // namespace srdd
