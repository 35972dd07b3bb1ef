// `srdd forward`: one forward pass over given token ids; prints last-token logits and per-layer RMS.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>

#include "command.h"
#include "model_options.h"
#include "srdd/error.h"

namespace {

std::vector<int64_t> parseIds(const std::string& text) {
  std::vector<int64_t> ids;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    char* end = nullptr;
    long long v = std::strtoll(word.c_str(), &end, 10);
    if (*end != '\0' || word.empty()) throw srdd::Error("--ids: '" + word + "' is not an integer token id");
    ids.push_back(v);
  }
  if (ids.empty()) throw srdd::Error("--ids is empty: give at least one token id");
  return ids;
}

int runForward(const srdd_cli::Parsed& opt) {
  auto model = srdd_cli::loadModel(opt);
  auto ids = parseIds(*opt.value("--ids"));
  const int64_t vocab = model->config().vocabSize;
  for (auto id : ids)
    if (id < 0 || id >= vocab)
      throw srdd::Error("--ids: token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                        std::to_string(vocab) + ")");
  c10::NoGradGuard noGrad;
  auto batch = srdd::Batch::fromSequences({ids}, model->device());
  auto out = model->forward(batch, nullptr, false, /*keepLayerOutputs=*/true);
  auto logits = out.logits[0].to(at::kFloat).cpu().contiguous();
  std::vector<double> rms;
  for (auto& h : out.layerOutputs) rms.push_back(h.to(at::kFloat).pow(2).mean().sqrt().item<double>());
  std::vector<float> values(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
  const auto top = std::min<int64_t>(opt.integer("--top", 10), logits.numel());
  auto best = logits.topk(top);
  auto bestIds = std::get<1>(best);
  if (opt.flag("--json")) {
    nlohmann::json j;
    j["model"] = model->directory();
    j["dtype"] = srdd::dtypeName(model->dtype());
    j["device"] = model->device().str();
    j["ids"] = ids;
    j["last_token_logits"] = values;
    j["layer_output_rms"] = rms;
    std::vector<int64_t> topIds(bestIds.data_ptr<int64_t>(), bestIds.data_ptr<int64_t>() + top);
    j["top_ids"] = topIds;
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "model " << model->directory() << " (" << srdd::dtypeName(model->dtype()) << ", "
              << model->device().str() << "), " << ids.size() << " tokens\n";
    for (size_t i = 0; i < rms.size(); ++i) std::cout << "layer " << i << " output RMS " << rms[i] << "\n";
    std::cout << "top " << top << " next tokens:";
    for (int64_t k = 0; k < top; ++k)
      std::cout << " " << bestIds[k].item<int64_t>() << " (" << std::get<0>(best)[k].item<float>() << ")";
    std::cout << "\n";
  }
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.text("--ids", "--ids IDS", "space-separated token ids (required)")->required();
  d.flag("--json", "print JSON: last_token_logits, layer_output_rms, top_ids");
  d.integer("--top", "--top K", "how many top next tokens to list (default 10)", 1);
  return [&app] { return runForward(srdd_cli::Parsed(app)); };
}

srdd_cli::Registrar reg({"forward", "run one forward pass over token ids; last-token logits and layer RMS",
                         "srdd forward [MODEL] --ids \"1 2 3\" [--json] [--top K]", "", define});
}  // namespace
