// `srdd eval`: next-token loss and perplexity of a model over a text file.
#include <nlohmann/json.hpp>

#include <iostream>

#include "engine_cli.h"
#include "command.h"
#include "model_options.h"
#include "srdd/error.h"
#include "srdd/evaluation.h"
#include "srdd/runtime.h"
#include "srdd/tokenizer.h"

namespace {

void print(const nlohmann::json& j, bool json) {
  if (json) {
    std::cout << j.dump(1) << "\n";
    return;
  }
  std::cout << "model       " << j.at("model").get<std::string>() << "\ntext        " << j.at("text").get<std::string>()
            << " (" << j.at("sequences") << " windows, " << j.at("tokens") << " predicted tokens)\nloss        "
            << j.at("token_weighted_loss").get<double>() << " (token-weighted mean CE, nats)\nmean/window "
            << j.at("mean_sequence_loss").get<double>() << "\nperplexity  " << j.at("perplexity").get<double>() << "\n";
}

// Paths are on the engine's host; no MODEL or --text: the engine host's demo model and held-out text.
int runEvalOnEngine(const srdd_cli::Parsed& opt) {
  auto engine = srdd_cli::connectEngine(*opt.value("--engine"));
  const nlohmann::json request = {{"type", "eval"},
                                  {"model", opt.value("MODEL", "")},
                                  {"text", opt.value("--text", "")},
                                  {"device", opt.value("--device", "cpu")},
                                  {"dtype", opt.value("--dtype", "bf16")},
                                  {"max_tokens", opt.integer("--max-tokens", 256)},
                                  {"batch", opt.integer("--batch", 8)},
                                  {"per_line", opt.flag("--per-line")},
                                  {"tokenizer", opt.value("--tokenizer", "")}};
  nlohmann::json j = srdd_cli::runEngineJob(engine, request, true).body;
  j["engine"] = srdd_cli::engineProvenance(engine);
  print(j, opt.flag("--json"));
  return 0;
}

int runEval(const srdd_cli::Parsed& opt) {
  if (opt.value("--engine")) return runEvalOnEngine(opt);
  const std::string dir = srdd_cli::modelDirectory(opt);
  const std::string textPath = opt.value("--text", srdd::defaultModelDirectory() + "/heldout.txt");
  const std::string tokPath = opt.value("--tokenizer", dir + "/tokenizer.json");
  auto tokenizer = srdd::Tokenizer::fromFile(tokPath);
  auto texts = srdd::readTexts(textPath, opt.flag("--per-line"));
  auto windows = srdd::tokenizeIntoWindows(tokenizer, texts, opt.integer("--max-tokens", 256));
  if (windows.empty()) throw srdd::Error(textPath + ": too short: no window of two or more tokens");
  auto model = srdd_cli::loadModel(opt);
  auto r = srdd::evaluateLoss(*model, windows, static_cast<int>(opt.integer("--batch", 8)));
  print({{"model", dir},
         {"text", textPath},
         {"sequences", windows.size()},
         {"tokens", r.tokens},
         {"token_weighted_loss", r.tokenWeightedLoss},
         {"mean_sequence_loss", r.meanLoss},
         {"perplexity", r.perplexity},
         {"dtype", srdd::dtypeName(model->dtype())}},
        opt.flag("--json"));
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.file("--text", "--text FILE",
         "text to score (.jsonl: one {\"text\":...} per line); default: the demo model's held-out text");
  d.flag("--per-line", "treat each non-empty line as its own text");
  d.integer("--max-tokens", "--max-tokens N", "window length in tokens (default 256)", 1);
  d.integer("--batch", "--batch N", "windows per forward (default 8)", 1);
  d.file("--tokenizer", "--tokenizer F", "tokenizer.json (default MODEL/tokenizer.json)");
  d.flag("--json", "print JSON");
  srdd_cli::declareEngineOption(d);
  return [&app] { return runEval(srdd_cli::Parsed(app)); };
}

srdd_cli::Registrar reg({"eval", "loss and perplexity of a model over a text file",
                         "srdd eval [MODEL] [--text FILE] [--json]", "", define});
}  // namespace
