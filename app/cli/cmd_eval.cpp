// `srdd eval`: next-token loss and perplexity of a model over a text file.
#include <nlohmann/json.hpp>

#include <iostream>

#include "model_options.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/runtime.h"
#include "srdd/tokenizer.h"

namespace {

int runEval(const srdd_cli::Args& args) {
  srdd_cli::Options opt(args, {"--text", "--device", "--dtype", "--max-tokens", "--batch", "--tokenizer"},
                        {"--json", "--per-line"});
  const std::string dir = srdd_cli::modelDirectory(opt);
  const std::string textPath = opt.value("--text", srdd::defaultModelDirectory() + "/heldout.txt");
  const std::string tokPath = opt.value("--tokenizer", dir + "/tokenizer.json");
  auto tokenizer = srdd::Tokenizer::fromFile(tokPath);
  auto texts = srdd::readTexts(textPath, opt.flag("--per-line"));
  auto windows = srdd::tokenizeIntoWindows(tokenizer, texts, opt.integer("--max-tokens", 256));
  if (windows.empty()) throw srdd::Error(textPath + ": too short: no window of two or more tokens");
  auto model = srdd_cli::loadModel(opt);
  auto r = srdd::evaluateLoss(*model, windows, static_cast<int>(opt.integer("--batch", 8)));
  if (opt.flag("--json")) {
    nlohmann::json j;
    j["model"] = dir;
    j["text"] = textPath;
    j["sequences"] = windows.size();
    j["tokens"] = r.tokens;
    j["token_weighted_loss"] = r.tokenWeightedLoss;
    j["mean_sequence_loss"] = r.meanLoss;
    j["perplexity"] = r.perplexity;
    j["dtype"] = srdd::dtypeName(model->dtype());
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << "model       " << dir << "\ntext        " << textPath << " (" << windows.size() << " windows, "
              << r.tokens << " predicted tokens)\nloss        " << r.tokenWeightedLoss
              << " (token-weighted mean CE, nats)\nmean/window " << r.meanLoss << "\nperplexity  " << r.perplexity
              << "\n";
  }
  return 0;
}

srdd_cli::Registrar reg({"eval", "loss and perplexity of a model over a text file",
                         std::string("Usage: srdd eval [MODEL] [--text FILE] [--json]\n") + srdd_cli::kModelOptionsUsage +
                             "  --text FILE      text to score (.jsonl: one {\"text\":...} per line); default: the\n"
                             "                   demo model's held-out text\n"
                             "  --per-line       treat each non-empty line as its own text\n"
                             "  --max-tokens N   window length in tokens (default 256)\n"
                             "  --batch N        windows per forward (default 8)\n"
                             "  --tokenizer F    tokenizer.json (default MODEL/tokenizer.json)\n"
                             "  --json           print JSON\n",
                         runEval});
}  // namespace
