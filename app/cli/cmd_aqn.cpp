// `srdd aqn`: AQN training runs compared across layer sets (baseline, global, targeted, healthy,
// custom), N seeds each, with statistics; resumable run directory. docs/aqn.md.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.h"
#include "engine_cli.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "model_options.h"
#include "scan_cli.h"
#include "srdd/aqn.h"
#include "srdd/error.h"
#include "srdd/layer_list.h"
#include "srdd/model_config.h"
#include "srdd/safetensors.h"
#include "srdd/scan.h"

namespace {

std::vector<std::string> splitList(const std::string& text, char sep) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) items.push_back(item);
  return items;
}

// The scan's recommended AQN target set (recommendation.aqn_layers), not every flagged layer: a target set
// that is empty or every layer makes "targeted" meaningless (it would be no noise, or "global").
// The set is the one recorded in the file (what the researcher saw), not a verdict recomputed by this build.
std::vector<int> targetsFromScan(const std::string& path) {
  const auto scan = srdd::readScanResult(path);  // validates the document
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  std::vector<int> layers;
  std::string strategy;
  int numLayers = 0;
  try {  // fields of the wrong type (a hand-edited file) are errors naming the file, not a JSON library message
    const auto rec = j.value("verdict", nlohmann::json::object()).value("recommendation", nlohmann::json::object());
    layers = rec.value("aqn_layers", std::vector<int>{});
    strategy = rec.value("strategy", "?");
    numLayers = scan.provenance.value("model", nlohmann::json::object()).value("num_layers", 0);
  } catch (const nlohmann::json::exception&) {
    throw srdd::Error(path + ": verdict.recommendation (aqn_layers: a list of layer indices, strategy: text) or " +
                      "provenance.model.num_layers has the wrong type");
  }
  if (layers.empty())
    throw srdd::Error(path + ": the scan recommends no AQN target layer (strategy " + strategy +
                      "), so there is no target set; pass --targets LIST to choose one");
  if (numLayers <= 0) numLayers = static_cast<int>(scan.layers.size());
  if (static_cast<int>(layers.size()) >= numLayers)
    throw srdd::Error(path + ": the recommended AQN target set is every layer (" + srdd::formatLayerList(layers) +
                      " of " + std::to_string(numLayers) +
                      "), so 'targeted' would equal 'global'; pass --targets LIST to choose a subset");
  return layers;
}

srdd::aqn::Schedule schedule(const srdd_cli::Parsed& opt, const srdd::aqn::Schedule& preset) {
  srdd::aqn::Schedule s = preset;
  const double start = opt.number("--sigma-start", s.sigmaStart), end = opt.number("--sigma-end", s.sigmaEnd);
  if (opt.value("--qerl-stages")) {
    s = srdd::aqn::Schedule::qerl(start, end, static_cast<int>(opt.integer("--qerl-stages", 10)));
  } else {
    s.sigmaStart = start;
    s.sigmaEnd = end;
    s.levels = static_cast<int>(opt.integer("--sigma-levels", s.levels));
    s.warmupFraction = opt.number("--warmup-fraction", s.warmupFraction);
  }
  s.validate();
  return s;
}

srdd::aqn::ComparisonSettings settingsFrom(const srdd_cli::Parsed& opt) {
  srdd::aqn::ComparisonSettings s;
  s.modelDirectory = srdd_cli::modelDirectory(opt);
  // Layer lists ("all-but 3") resolve against the model's layer count, read from its config.json (-1 when it
  // cannot be read: the comparison then reports the model directory's problem).
  int numLayers = -1;
  try {
    numLayers = static_cast<int>(srdd::ModelConfig::fromFile(s.modelDirectory + "/config.json").numLayers);
  } catch (const srdd::Error&) {
  }
  const auto lo = srdd_cli::loadOptions(opt);
  s.device = lo.device;
  s.dtype = lo.dtype;
  s.protocol = srdd::aqn::parseProtocol(opt.value("--protocol", "training"));
  if (auto t = opt.value("--targets")) s.targets = srdd::parseLayerList(*t, numLayers, "--targets");
  if (auto f = opt.value("--targets-from")) s.targets = targetsFromScan(*f);
  if (auto c = opt.value("--custom")) {
    for (const auto& def : splitList(*c, ';')) {
      const auto eq = def.find('=');
      if (eq == std::string::npos || eq == 0)
        throw srdd::Error("--custom: '" + def + "' is not NAME=LAYERS (e.g. early=0-2)");
      const std::string name = def.substr(0, eq);
      s.custom[name] = srdd::parseLayerList(def.substr(eq + 1), numLayers, "--custom " + name);
    }
  }
  if (auto c = opt.value("--configs")) {
    s.configs = splitList(*c, ',');
  } else {
    for (const auto& [name, layers] : s.custom) s.configs.push_back(name);
  }
  s.seeds = static_cast<int>(opt.integer("--seeds", s.seeds));
  s.baseSeed = static_cast<uint64_t>(opt.integer("--seed", 42));
  const auto preset = srdd::aqn::noisePreset(opt.value("--preset", "default"));
  s.noise.target = srdd::aqn::parseNoiseTarget(opt.value("--noise-target", srdd::aqn::noiseTargetName(preset.target)));
  s.noise.scale = srdd::aqn::parseNoiseScale(opt.value("--noise-scale", srdd::aqn::noiseScaleName(preset.scale)));
  s.noise.schedule = schedule(opt, preset.schedule);

  auto& t = s.train;
  t.steps = static_cast<int>(opt.integer("--steps", t.steps));
  t.batchSize = static_cast<int>(opt.integer("--batch", t.batchSize));
  t.seqLength = static_cast<int>(opt.integer("--seq", t.seqLength));
  t.learningRate = opt.number("--lr", t.learningRate);
  t.lrWarmupSteps = static_cast<int>(opt.integer("--lr-warmup", t.lrWarmupSteps));
  t.weightDecay = opt.number("--weight-decay", t.weightDecay);
  t.gradClip = opt.number("--grad-clip", t.gradClip);
  t.trainable = opt.value("--trainable", t.trainable);
  t.quantizeTraining = !opt.flag("--no-quant-train");
  t.quantization = srdd_cli::quantPlan(opt, 0).toJson();
  auto& d = s.data;
  d.trainPath = opt.value("--train", "");
  d.evalPath = opt.value("--eval", "");
  d.evalSeqLength = static_cast<int>(opt.integer("--eval-seq", d.evalSeqLength));
  d.evalTokens = static_cast<long>(opt.integer("--eval-tokens", d.evalTokens));
  d.evalBatchSize = static_cast<int>(opt.integer("--eval-batch", d.evalBatchSize));
  auto& r = s.reference;
  r.gamma = opt.number("--gamma", r.gamma);
  r.prompts = opt.value("--prompts", r.prompts);
  r.maxTokens = static_cast<int>(opt.integer("--max-tokens", r.maxTokens));
  s.validate();
  return s;
}

// The comparison on an engine: the run directory stays on the engine's host (--out), and a copy of its
// files, comparison.json gaining provenance.engine, is written here (--copy-to, default the same path).
int runAqnOnEngine(const srdd_cli::Parsed& opt, srdd::aqn::ComparisonSettings settings) {
  if (!opt.given("MODEL")) settings.modelDirectory.clear();  // the engine host's demo model
  const std::string out = opt.value("--out", "srdd-aqn"), copy = opt.value("--copy-to", out);
  auto engine = srdd_cli::connectEngine(*opt.value("--engine"));
  const nlohmann::json request = {{"type", "aqn"},
                                  {"settings", settings.toJson()},
                                  {"run_dir", out},
                                  {"force", opt.flag("--force")},
                                  {"created_utc", opt.value("--timestamp", "")}};
  nlohmann::json body;
  try {
    body = srdd_cli::runEngineJob(engine, request, opt.flag("--quiet")).body;
  } catch (const srdd::Cancelled&) {
    std::cerr << "srdd aqn: cancelled; finished runs are kept in " << out << " on " << engine.engine->describe()
              << " (run the same command again to resume)\n";
    return srdd_cli::kExitInterrupted;
  }
  nlohmann::json comparison = body.at("comparison");
  comparison["provenance"]["engine"] = srdd_cli::engineProvenance(engine);
  for (const auto& [name, text] : body.at("files").items()) {
    const std::filesystem::path target = std::filesystem::path(copy) / name;
    if (name.find("..") != std::string::npos || std::filesystem::path(name).is_absolute())
      throw srdd::Error("engine sent a run file outside the run directory: '" + name + "'");
    std::filesystem::create_directories(target.parent_path());
    srdd::writeFileAtomically(target.string(),
                              name == "comparison.json" ? comparison.dump(2) + "\n" : text.get<std::string>());
  }
  if (opt.flag("--json")) {
    std::cout << comparison.dump(2) << "\n";
  } else {
    std::cout << srdd::aqn::formatComparison(srdd::aqn::readComparison(copy + "/comparison.json"));
  }
  std::cerr << "results: " << copy << "/comparison.json (run directory " << body.value("run_dir", out) << " on "
            << engine.hello.value("hostname", "?") << ")\n";
  return 0;
}

int runAqn(const srdd_cli::Parsed& opt) {
  const auto settings = settingsFrom(opt);
  if (opt.value("--engine")) return runAqnOnEngine(opt, settings);
  const std::string out = opt.value("--out", "srdd-aqn");
  const srdd::CancelToken* cancel = srdd_cli::cancelOnInterrupt();
  srdd::aqn::ComparisonResult result;
  try {
    result = srdd::aqn::runComparison(settings, out,
                                      opt.flag("--quiet") ? srdd::ProgressCallback() : srdd_cli::stderrProgress(),
                                      cancel, opt.flag("--force"), opt.value("--timestamp", ""));
  } catch (const srdd::Cancelled&) {
    std::cerr << "srdd aqn: cancelled; finished runs are kept in " << out
              << " (run the same command again to resume)\n";
    return srdd_cli::kExitInterrupted;
  }
  if (opt.flag("--json")) {
    std::cout << result.toJson().dump(2) << "\n";
  } else {
    std::cout << srdd::aqn::formatComparison(result);
  }
  std::cerr << "results: " << out << "/comparison.json\n";
  return 0;
}

srdd_cli::Runner define(CLI::App& app) {
  using Kind = srdd_cli::CompletionHint::Kind;
  srdd_cli::Declare d(app);
  srdd_cli::declareModelOptions(d);
  d.directory("--out", "--out RUNDIR", "run directory (default srdd-aqn)");
  d.flag("--force", "discard a RUNDIR made with other settings");
  d.choice("--protocol", "--protocol P",
           "training (default) or reference: the research scripts' inference-time activation noise\n"
           "gamma*|h| before MXFP4 at every layer output, 5 prompts, no training (NOT AQN training)",
           [](const std::string& v) { srdd::aqn::parseProtocol(v); }, {"training", "reference"});
  d.group("Configurations");
  auto* targets = d.text("--targets", "--targets LIST", "target layers, e.g. 3,7,12, 0-2,5 or \"all-but 4\"");
  d.file("--targets-from", "--targets-from SCAN.json",
         "the scan's recommended AQN target set (recommendation.aqn_layers); refused\nwhen it is empty or every layer")
      ->excludes(targets);
  d.text("--configs", "--configs LIST",
         "baseline (no noise), global (all layers), targeted, healthy (all but the targets),\n"
         "bf16-aqn (all layers, trained without fake quantization: the BF16 + AQN arm), or\n"
         "custom names (default baseline,global,targeted,healthy and the custom ones)",
         {Kind::Words, {"baseline", "global", "targeted", "healthy", "bf16-aqn"}});
  d.text("--custom", "--custom DEFS", "NAME=LAYERS[;NAME=LAYERS...], e.g. \"early=0-2;late=4,5\"");
  d.integer("--seeds", "--seeds N", "runs per configuration, the same seeds in each (default 5)", 1);
  d.integer("--seed", "--seed S", "first seed (default 42)", 0);
  d.group("Noise");
  d.choice(
      "--preset", "--preset P",
      "default (the values below) or qerl (QeRL-faithful: both RMSNorm weights, absolute sigma,\n"
      "10 stages, 1e-2 -> 5e-4); the options below override the preset's values",
      [](const std::string& v) { srdd::aqn::noisePreset(v); }, srdd::aqn::noisePresetNames());
  d.choice("--noise-target", "--noise-target T",
           "norms (both RMSNorm weights of a layer, QeRL; default) or linears (its 7 linear weights)",
           [](const std::string& v) { srdd::aqn::parseNoiseTarget(v); }, {"norms", "linears"});
  d.choice("--noise-scale", "--noise-scale S",
           "absolute (sigma, QeRL; default), relative (sigma*|w|) or relative-rms (sigma*rms(w))",
           [](const std::string& v) { srdd::aqn::parseNoiseScale(v); }, {"absolute", "relative", "relative-rms"});
  d.number("--sigma-start", "--sigma-start X", "first noise level (default 0.05)");
  d.number("--sigma-end", "--sigma-end X", "last noise level (default 0.0005)");
  auto* levels = d.integer("--sigma-levels", "--sigma-levels N", "noise levels (default 9)");
  auto* warmup =
      d.number("--warmup-fraction", "--warmup-fraction F", "share of the steps without noise first (default 0.1)");
  d.integer("--qerl-stages", "--qerl-stages N",
            "QeRL's num_stages: N-1 levels after a warm-up of 1/N (10 = the defaults above)")
      ->excludes(levels)
      ->excludes(warmup);
  d.group("Training");
  d.integer("--steps", "--steps N", "training steps (default 24)", 1);
  d.integer("--batch", "--batch N", "sequences per step (default 4)", 1);
  d.integer("--seq", "--seq N", "tokens per sequence (default 64)", 2);
  d.number("--lr", "--lr X", "learning rate (default 5e-5)", 0);
  d.integer("--lr-warmup", "--lr-warmup N", "linear learning-rate warm-up steps (default 0)", 0);
  d.number("--weight-decay", "--weight-decay X", "AdamW weight decay (default 0)", 0);
  d.number("--grad-clip", "--grad-clip X", "max gradient norm, 0 = off (default 1.0)", 0);
  d.text("--trainable", "--trainable T", "all (default), norms, or comma-separated regexes of parameter names");
  d.file("--train", "--train FILE",
         "training text (.txt whole file, .jsonl \"text\" per line; default MODEL/aqn-train.txt)");
  d.file("--eval", "--eval FILE", "held-out text (default MODEL/heldout.txt)");
  d.integer("--eval-seq", "--eval-seq N", "held-out window length (default 256)", 2);
  d.integer("--eval-tokens", "--eval-tokens N", "held-out tokens scored (default 4096, 0 = all)", 0);
  d.integer("--eval-batch", "--eval-batch N", "held-out windows per forward (default 8)", 1);
  d.flag("--no-quant-train", "train with the plain forward (the evaluation still reports both)");
  d.group("Quantization (training forward with a straight-through estimator, and the quantized evaluation)");
  srdd_cli::declareQuantOptions(d);
  d.group("Reference protocol");
  d.number("--gamma", "--gamma X", "activation noise scale (default 0.01)", 0);
  d.text("--prompts", "--prompts P", "prompt set (default builtin:experiment)", {Kind::File, {}});
  d.integer("--max-tokens", "--max-tokens N", "tokens per prompt (default 64)", 1);
  d.group("Output");
  d.flag("--json", "print comparison.json instead of the table");
  d.flag("--quiet", "no progress on stderr");
  d.text("--timestamp", "--timestamp T", "pin provenance.created_utc");
  srdd_cli::declareEngineOption(d);
  d.directory("--copy-to", "--copy-to DIR",
              "with --engine: where the local copy of the run files goes (default: the --out path)")
      ->needs(app.get_option("--engine"));
  return [&app] { return runAqn(srdd_cli::Parsed(app)); };
}

}  // namespace

static srdd_cli::Registrar reg(
    {"aqn", "AQN training runs compared across layer sets, with statistics",
     "srdd aqn [MODEL] [--targets 3,7,12] [--configs baseline,global,targeted,healthy] [OPTIONS] --out RUNDIR",
     "AQN (QeRL adaptive quantization noise) training runs, compared across layer sets with N seeds each. Re-running "
     "the "
     "same command on the same RUNDIR resumes: finished runs are kept. See docs/aqn.md.",
     define});
