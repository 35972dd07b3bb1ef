// config.json parsing and Checkpoint loading: real Hugging Face configs, exact round trips, every bad input.
#include <ATen/ATen.h>

#include <cmath>
#include <filesystem>

#include "ckpt_test_helpers.h"
#include "srdd/checkpoint.h"
#include "srdd/model.h"
#include "srdd/model_config.h"
#include "srdd/random_checkpoint.h"
#include "srdd/safetensors.h"

#include <QTemporaryDir>
#include <QtTest>

#include "test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// config.json of Qwen/Qwen2.5-1.5B-Instruct, verbatim.
const char* kQwen15Config = R"({
  "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151645,
  "hidden_act": "silu", "hidden_size": 1536, "initializer_range": 0.02, "intermediate_size": 8960,
  "max_position_embeddings": 32768, "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": 12,
  "num_hidden_layers": 28, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
  "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.43.1",
  "use_cache": true, "use_sliding_window": false, "vocab_size": 151936})";

// config.json of TinyLlama/TinyLlama-1.1B-Chat-v1.0, verbatim.
const char* kTinyLlamaConfig = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 1, "eos_token_id": 2,
  "hidden_act": "silu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
  "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22,
  "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0,
  "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.35.0", "use_cache": true,
  "vocab_size": 32000})";

// Qwen/Qwen3-0.6B config.json as published.
const char* kQwen3Config = R"({
  "architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 151643,
  "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu", "hidden_size": 1024, "initializer_range": 0.02,
  "intermediate_size": 3072, "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3",
  "num_attention_heads": 16, "num_hidden_layers": 28, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
  "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null, "tie_word_embeddings": true,
  "torch_dtype": "bfloat16", "transformers_version": "4.51.0", "use_cache": true, "use_sliding_window": false,
  "vocab_size": 151936
})";

// meta-llama/Llama-3.2-1B-Instruct config.json as published.
const char* kLlama32Config = R"({
  "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 128000,
  "eos_token_id": [128001, 128008, 128009], "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
  "initializer_range": 0.02, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": false,
  "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
  "pretraining_tp": 1, "rms_norm_eps": 1e-05,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.45.0.dev0",
  "use_cache": true, "vocab_size": 128256
})";

json tinyJson() {
  return json::parse(R"({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 32,
    "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4,
    "num_key_value_heads": 2, "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
    "tie_word_embeddings": true})");
}
srdd::ModelConfig tinyConfig(bool tied = true) {
  json j = tinyJson();
  j["tie_word_embeddings"] = tied;
  return srdd::ModelConfig::fromJson(j, "tiny");
}

std::vector<std::pair<std::string, at::Tensor>> randomTensors(const srdd::ModelConfig& c, at::ScalarType dtype) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& [name, shape] : c.tensorLayout()) out.push_back({name, at::randn(shape).to(dtype)});
  return out;
}

void writeModel(const std::string& dir, const json& config,
                const std::vector<std::pair<std::string, at::Tensor>>& tensors) {
  fs::create_directories(dir);
  ckpt_test::writeBytes(dir + "/config.json", config.dump());
  srdd::writeSafetensors(dir + "/model.safetensors", tensors);
}

bool sameConfig(const srdd::ModelConfig& a, const srdd::ModelConfig& b) { return a.toJson() == b.toJson(); }

}  // namespace

class TestCheckpoint : public QObject {
  Q_OBJECT

  QTemporaryDir tmp_;
  int counter_ = 0;
  std::string newDir() { return tmp_.path().toStdString() + "/m" + std::to_string(counter_++); }
  std::string configError(const json& j) {
    return ckpt_test::errorOf([&] { srdd::ModelConfig::fromJson(j, "cfg.json"); });
  }

 private Q_SLOTS:
  void initTestCase() { at::manual_seed(1234); }

  void parsesRealQwenConfig() {
    const auto c = srdd::ModelConfig::fromJson(json::parse(kQwen15Config), "qwen");
    QCOMPARE(c.architecture, std::string("Qwen2ForCausalLM"));
    QCOMPARE(c.modelType, std::string("qwen2"));
    QCOMPARE(c.hiddenSize, int64_t(1536));
    QCOMPARE(c.headDim, int64_t(128));
    QCOMPARE(c.numKvHeads, int64_t(2));
    QCOMPARE(c.ropeTheta, 1e6);
    QCOMPARE(c.rmsNormEps, 1e-6);
    QVERIFY(c.tieWordEmbeddings && c.attentionBias && !c.oProjBias() && !c.mlpBias);
    QCOMPARE(c.torchDtype, std::string("bfloat16"));
    QCOMPARE(*c.eosTokenId, int64_t(151645));
    QVERIFY(!c.padTokenId);
    // Published sizes: 1.54B parameters, 1.31B of them outside the embeddings (Qwen2.5 model card).
    QCOMPARE(c.parameterCount(), int64_t(1543714304));
    QCOMPARE(c.parameterCount() - c.vocabSize * c.hiddenSize, int64_t(1310340608));
    QVERIFY(sameConfig(c, srdd::presetConfig("qwen2.5-1.5b")));
  }

  void presetSizesMatchModelCards() {
    // Qwen2.5 model cards: 0.49B / 7.61B parameters; non-embedding 0.36B / 6.53B.
    QCOMPARE(srdd::presetConfig("qwen2.5-0.5b").parameterCount(), int64_t(494032768));
    const auto c7 = srdd::presetConfig("qwen2.5-7b");
    QCOMPARE(c7.parameterCount(), int64_t(7615616512));
    QVERIFY(!c7.tieWordEmbeddings);
    QCOMPARE(c7.parameterCount() - 2 * c7.vocabSize * c7.hiddenSize, int64_t(6525621760));
    // Qwen2.5 3B / 14B / 32B / 72B cards: 3.09B / 14.7B / 32.5B / 72.7B (the 32B card counts 32.76B exactly).
    QCOMPARE(srdd::presetConfig("qwen2.5-3b").parameterCount(), int64_t(3085938688));
    QCOMPARE(srdd::presetConfig("qwen2.5-14b").parameterCount(), int64_t(14770033664));
    QCOMPARE(srdd::presetConfig("qwen2.5-32b").parameterCount(), int64_t(32763876352));
    QCOMPARE(srdd::presetConfig("qwen2.5-72b").parameterCount(), int64_t(72706203648));
    // Llama 3.2 1B: 1.24B (1,235,814,400); Qwen3-0.6B: 0.6B with tied embeddings, 0.44B outside them.
    QCOMPARE(srdd::presetConfig("llama-3.2-1b").parameterCount(), int64_t(1235814400));
    const auto q3 = srdd::presetConfig("qwen3-0.6b");
    QCOMPARE(q3.parameterCount(), int64_t(596049920));
    QCOMPARE(q3.parameterCount() - q3.vocabSize * q3.hiddenSize, int64_t(440467456));
    EXPECT_SRDD_ERROR(srdd::presetConfig("gpt9"), "'gpt9'",
                      "known: qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-3b, qwen2.5-7b");
  }

  void parsesRealQwen3Config() {
    const auto c = srdd::ModelConfig::fromJson(json::parse(kQwen3Config), "qwen3");
    QCOMPARE(c.architecture, std::string("Qwen3ForCausalLM"));
    QVERIFY(c.qkNorm && !c.attentionBias && c.tieWordEmbeddings);
    QCOMPARE(c.headDim, int64_t(128));  // explicit: 16 heads x 128 = 2048 != hidden_size 1024
    const auto shapes = srdd::expectedTensorShapes(c);
    QCOMPARE(shapes.at("model.layers.27.self_attn.q_proj.weight"), (std::vector<int64_t>{2048, 1024}));
    QCOMPARE(shapes.at("model.layers.27.self_attn.o_proj.weight"), (std::vector<int64_t>{1024, 2048}));
    QCOMPARE(shapes.at("model.layers.0.self_attn.q_norm.weight"), (std::vector<int64_t>{128}));
    QCOMPARE(shapes.at("model.layers.0.self_attn.k_norm.weight"), (std::vector<int64_t>{128}));
    QVERIFY(!shapes.count("model.layers.0.self_attn.q_proj.bias"));
    QVERIFY(sameConfig(c, srdd::presetConfig("qwen3-0.6b")));
    json biased = json::parse(kQwen3Config);
    biased["attention_bias"] = true;  // qwen3's attention_bias covers o_proj too (unlike qwen2)
    QVERIFY(srdd::expectedTensorShapes(srdd::ModelConfig::fromJson(biased, "b"))
                .count("model.layers.0.self_attn.o_proj.bias"));
  }

  void parsesLlama3RopeScaling() {
    const auto c = srdd::ModelConfig::fromJson(json::parse(kLlama32Config), "llama3.2");
    QCOMPARE(c.ropeScaling.type, std::string("llama3"));
    QCOMPARE(c.ropeScaling.factor, 32.0);
    QCOMPARE(c.ropeScaling.originalMaxPositions, int64_t(8192));
    QVERIFY(sameConfig(c, srdd::presetConfig("llama-3.2-1b")));
    QVERIFY(sameConfig(srdd::ModelConfig::fromJson(c.toJson(), "rt"), c));
    // The llama3 rule, evaluated here in double: wavelengths below original/high keep their frequency,
    // above original/low are divided by the factor, in between interpolate smoothly.
    const at::Tensor inv = srdd::ropeInverseFrequencies(c);
    QCOMPARE(inv.size(0), int64_t(32));
    int kept = 0, divided = 0, smoothed = 0;
    for (int64_t i = 0; i < 32; ++i) {
      const double f = 1.0 / std::pow(500000.0, 2.0 * i / 64.0), wl = 2 * M_PI / f;
      double expected = f;
      if (wl > 8192.0) {
        expected = f / 32.0, ++divided;
      } else if (wl >= 2048.0) {
        const double s = (8192.0 / wl - 1.0) / 3.0;
        expected = (1 - s) * f / 32.0 + s * f, ++smoothed;
      } else {
        ++kept;
      }
      QVERIFY2(std::abs(inv[i].item<double>() - expected) <= 2e-6 * expected, std::to_string(i).c_str());
    }
    QVERIFY(kept > 0 && divided > 0 && smoothed > 0);
    json j = json::parse(kLlama32Config);
    j["rope_scaling"].erase("low_freq_factor");
    QVERIFY(configError(j).find("lacks \"low_freq_factor\"") != std::string::npos);
  }

  void parsesRealLlamaAndMistralConfigs() {
    const auto l = srdd::ModelConfig::fromJson(json::parse(kTinyLlamaConfig), "tinyllama");
    QCOMPARE(l.modelType, std::string("llama"));
    QVERIFY(!l.attentionBias && !l.tieWordEmbeddings);
    QCOMPARE(l.rmsNormEps, 1e-5);
    QCOMPARE(l.parameterCount(), int64_t(1100048384));  // TinyLlama-1.1B: 1,100,048,384 parameters
    auto shapes = srdd::expectedTensorShapes(l);
    QVERIFY(!shapes.count("model.layers.0.self_attn.q_proj.bias"));
    QCOMPARE(shapes.at("model.layers.21.self_attn.k_proj.weight"), (std::vector<int64_t>{256, 2048}));
    QCOMPARE(shapes.at("lm_head.weight"), (std::vector<int64_t>{32000, 2048}));

    json biased = json::parse(kTinyLlamaConfig);
    biased["attention_bias"] = true;
    biased["mlp_bias"] = true;
    biased["head_dim"] = 128;  // explicit head_dim, as Mistral-Nemo style configs have
    const auto b = srdd::ModelConfig::fromJson(biased, "biased");
    shapes = srdd::expectedTensorShapes(b);
    QCOMPARE(shapes.at("model.layers.0.self_attn.q_proj.weight"), (std::vector<int64_t>{4096, 2048}));
    QCOMPARE(shapes.at("model.layers.0.self_attn.o_proj.weight"), (std::vector<int64_t>{2048, 4096}));
    QCOMPARE(shapes.at("model.layers.0.self_attn.o_proj.bias"), (std::vector<int64_t>{2048}));
    QCOMPARE(shapes.at("model.layers.0.mlp.down_proj.bias"), (std::vector<int64_t>{2048}));
    QVERIFY(sameConfig(srdd::ModelConfig::fromJson(b.toJson(), "rt"), b));

    json mistral = json::parse(kTinyLlamaConfig);
    mistral["architectures"] = {"MistralForCausalLM"};
    mistral["model_type"] = "mistral";
    mistral["sliding_window"] = 4096;
    const auto m = srdd::ModelConfig::fromJson(mistral, "mistral");
    QCOMPARE(m.slidingWindow, int64_t(4096));
    QVERIFY(sameConfig(srdd::ModelConfig::fromJson(m.toJson(), "rt"), m));
  }

  void tensorLayoutOfQwen2() {
    const auto c = tinyConfig();
    const auto shapes = srdd::expectedTensorShapes(c);
    QCOMPARE(shapes.size(),
             size_t(1 + 2 * 12 + 1));  // embeddings, 12 per layer (2 norms, 7 matrices, q/k/v bias), norm
    QCOMPARE(shapes.at("model.embed_tokens.weight"), (std::vector<int64_t>{32, 16}));
    QCOMPARE(shapes.at("model.layers.1.self_attn.q_proj.weight"), (std::vector<int64_t>{16, 16}));
    QCOMPARE(shapes.at("model.layers.1.self_attn.k_proj.weight"), (std::vector<int64_t>{8, 16}));
    QCOMPARE(shapes.at("model.layers.1.self_attn.v_proj.bias"), (std::vector<int64_t>{8}));
    QCOMPARE(shapes.at("model.layers.1.mlp.down_proj.weight"), (std::vector<int64_t>{16, 24}));
    QVERIFY(!shapes.count("model.layers.0.self_attn.o_proj.bias"));
    QVERIFY(!shapes.count("lm_head.weight"));
    QVERIFY(srdd::expectedTensorShapes(tinyConfig(false)).count("lm_head.weight"));
    const auto layout = c.tensorLayout();  // model order
    QCOMPARE(layout.front().first, std::string("model.embed_tokens.weight"));
    QCOMPARE(layout.back().first, std::string("model.norm.weight"));
  }

  void configRoundTripsThroughJson() {
    for (const auto& name : srdd::presetNames()) {
      const auto c = srdd::presetConfig(name);
      QVERIFY2(sameConfig(srdd::ModelConfig::fromJson(c.toJson(), name), c), name.c_str());
    }
    json j = tinyJson();
    j["rope_scaling"] = {{"rope_type", "default"}};
    QCOMPARE(srdd::ModelConfig::fromJson(j, "x").numLayers, int64_t(2));
    j.erase("rope_scaling");
    j["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 500000.0}};  // transformers 5 layout
    QCOMPARE(srdd::ModelConfig::fromJson(j, "x").ropeTheta, 500000.0);
  }

  void rejectsBadConfigs() {
    const std::string path = newDir() + "-config.json";
    ckpt_test::writeBytes(path, "{\"hidden_size\": 16,");
    EXPECT_SRDD_ERROR(srdd::ModelConfig::fromFile(path), path, "config is not valid JSON");
    EXPECT_SRDD_ERROR(srdd::ModelConfig::fromFile(path + ".absent"), path + ".absent", "cannot open");

    auto with = [](const char* key, json value) {
      json j = tinyJson();
      j[key] = value;
      return j;
    };
    auto without = [](const char* key) {
      json j = tinyJson();
      j.erase(key);
      return j;
    };
    const std::pair<json, std::string> cases[] = {
        {json::array(), "config is not a JSON object"},
        {without("hidden_size"), "required key \"hidden_size\" is missing"},
        {without("num_hidden_layers"), "required key \"num_hidden_layers\" is missing"},
        {with("hidden_size", "big"), "\"hidden_size\" must be an integer, got \"big\""},
        {with("vocab_size", 32.5), "\"vocab_size\" must be an integer, got 32.5"},
        {with("rms_norm_eps", "tiny"), "\"rms_norm_eps\" must be a number"},
        {with("tie_word_embeddings", "yes"), "\"tie_word_embeddings\" must be true or false"},
        {with("intermediate_size", 0), "\"intermediate_size\" must be positive, got 0"},
        {with("num_hidden_layers", -3), "\"num_hidden_layers\" must be positive, got -3"},
        {with("hidden_size", 18), "hidden_size 18 is not divisible by num_attention_heads 4"},
        {with("num_key_value_heads", 3), "num_attention_heads 4 is not a multiple of num_key_value_heads 3"},
        {with("rope_theta", -1.0), "\"rope_theta\" must be a finite positive number"},
        {with("rms_norm_eps", 0.0), "\"rms_norm_eps\" must be a finite positive number"},
        {with("architectures", {"GPT2LMHeadModel"}),
         "unknown architecture 'GPT2LMHeadModel' (supported: Qwen2ForCausalLM, Qwen3ForCausalLM, LlamaForCausalLM, "
         "MistralForCausalLM)"},
        {with("architectures", "Qwen2ForCausalLM"), "\"architectures\" must be a non-empty list of strings"},
        {with("model_type", "llama"), "model_type 'llama' does not match architecture Qwen2ForCausalLM"},
        {with("rope_scaling", {{"type", "yarn"}, {"factor", 4.0}}), "unsupported \"rope_scaling\" type 'yarn'"},
        {with("rope_scaling", {{"rope_type", "linear"}}), "unsupported \"rope_scaling\" type 'linear'"},
        {with("rope_scaling", 2), "\"rope_scaling\" must be an object or null"},
        {with("hidden_act", "gelu"), "unsupported hidden_act 'gelu'"},
        {with("use_sliding_window", true), "unsupported \"use_sliding_window\": true"},
        {with("layer_types", {"full_attention", "sliding_attention"}), "unsupported layer type \"sliding_attention\""},
        {with("vocab_size", 9999999999ll), "\"vocab_size\" is implausibly large"},
        {with("num_hidden_layers", 5000000), "\"num_hidden_layers\" is implausibly large"},
    };
    for (const auto& [j, fault] : cases) {
      const std::string m = configError(j);
      QVERIFY2(m.find("cfg.json") != std::string::npos && m.find(fault) != std::string::npos,
               ("expected '" + fault + "', got '" + m + "'").c_str());
    }
    srdd::ModelConfig odd = tinyConfig();
    odd.modelType = "llama";
    odd.architecture = "LlamaForCausalLM";
    odd.headDim = 5;
    EXPECT_SRDD_ERROR(odd.validate("odd.json"), "odd.json", "head_dim 5 must be even");
  }

  void opensRealTransformersCheckpoints() {
    // Checkpoints written by transformers 5.17 save_pretrained (tests/fixtures/hf); reference.json holds the spec
    // they were made from, and the sharded one's index records transformers' own parameter count.
    const std::string root = srdd_test::fixturesDir().toStdString() + "/hf/";
    for (const char* name : {"qwen2-tiny-gqa2-tied-f32", "qwen2-tiny-gqa4-untied-sharded-f32",
                             "qwen2-tiny-mha-untied-bf16", "llama-tiny-gqa2-f16"}) {
      const std::string dir = root + name;
      const json spec = json::parse(ckpt_test::readBytes(dir + "/reference.json"))["spec"];
      const auto ckpt = srdd::Checkpoint::open(dir);
      const auto& c = ckpt.config();
      QCOMPARE(c.modelType, spec["arch"].get<std::string>());
      QCOMPARE(c.hiddenSize, spec["hidden"].get<int64_t>());
      QCOMPARE(c.intermediateSize, spec["inter"].get<int64_t>());
      QCOMPARE(c.numLayers, spec["layers"].get<int64_t>());
      QCOMPARE(c.numHeads, spec["heads"].get<int64_t>());
      QCOMPARE(c.numKvHeads, spec["kv"].get<int64_t>());
      QCOMPARE(c.ropeTheta, spec["theta"].get<double>());
      QCOMPARE(c.tieWordEmbeddings, spec["tied"].get<bool>());
      QCOMPARE(c.torchDtype, spec["dtype"].get<std::string>());
      const std::string dtype = c.torchDtype == "float32" ? "F32" : c.torchDtype == "float16" ? "F16" : "BF16";
      uint64_t bytes = 0;
      for (const auto& f : ckpt.files()) bytes += fs::file_size(f);
      QCOMPARE(ckpt.bytesOnDisk(), bytes);
      int64_t params = 0;
      for (const auto& t : ckpt.tensorNames()) {
        QCOMPARE(ckpt.dtypeOf(t), dtype);
        params += ckpt.tensor(t).numel();
      }
      QCOMPARE(params, c.parameterCount() +
                           (c.tieWordEmbeddings && ckpt.has("lm_head.weight") ? c.vocabSize * c.hiddenSize : 0));
    }
    const auto sharded = srdd::Checkpoint::open(root + "qwen2-tiny-gqa4-untied-sharded-f32");
    const json index =
        json::parse(ckpt_test::readBytes(root + "qwen2-tiny-gqa4-untied-sharded-f32/model.safetensors.index.json"));
    QCOMPARE(sharded.config().parameterCount(), index["metadata"]["total_parameters"].get<int64_t>());
    QCOMPARE(sharded.files().size(), size_t(6));
    QCOMPARE(sharded.fileOf("lm_head.weight"), std::string("model-00005-of-00006.safetensors"));
  }

  void roundTripsExactValues() {
    for (const auto dtype : {at::kBFloat16, at::kHalf, at::kFloat}) {
      for (const bool tied : {true, false}) {
        const auto c = tinyConfig(tied);
        const auto tensors = randomTensors(c, dtype);
        const std::string dir = newDir();
        writeModel(dir, c.toJson(), tensors);
        const auto ckpt = srdd::Checkpoint::open(dir);
        QVERIFY(sameConfig(ckpt.config(), c));
        const auto names = ckpt.tensorNames();
        QCOMPARE(names.size(), tensors.size());
        QVERIFY(std::is_sorted(names.begin(), names.end()));
        QCOMPARE(ckpt.files(), std::vector<std::string>{dir + "/model.safetensors"});
        QCOMPARE(ckpt.bytesOnDisk(), uint64_t(fs::file_size(dir + "/model.safetensors")));
        for (const auto& [name, t] : tensors) {
          QVERIFY(ckpt.has(name));
          QCOMPARE(ckpt.dtypeOf(name), srdd::safetensorsDtypeName(dtype));
          QCOMPARE(ckpt.fileOf(name), std::string("model.safetensors"));
          QVERIFY2(at::equal(ckpt.tensor(name), t), name.c_str());
        }
        EXPECT_SRDD_ERROR(ckpt.tensor("model.layers.9.mlp.up_proj.weight"), dir,
                          "no tensor 'model.layers.9.mlp.up_proj.weight'");
      }
    }
  }

  void randomCheckpointShardedAndDeterministic() {
    const auto c = tinyConfig(false);
    const std::string single = newDir(), sharded = newDir(), again = newDir(), other = newDir();
    srdd::writeRandomCheckpoint(c, single, at::kBFloat16, 42, 1);
    srdd::writeRandomCheckpoint(c, sharded, at::kBFloat16, 42, 3);
    srdd::writeRandomCheckpoint(c, again, at::kBFloat16, 42, 1);
    srdd::writeRandomCheckpoint(c, other, at::kBFloat16, 43, 1);
    QCOMPARE(ckpt_test::readBytes(single + "/model.safetensors"), ckpt_test::readBytes(again + "/model.safetensors"));
    QVERIFY(ckpt_test::readBytes(single + "/model.safetensors") != ckpt_test::readBytes(other + "/model.safetensors"));

    const auto a = srdd::Checkpoint::open(single), b = srdd::Checkpoint::open(sharded);
    QVERIFY(sameConfig(b.config(), a.config()));
    QCOMPARE(b.config().torchDtype, std::string("bfloat16"));
    QCOMPARE(b.files().size(), size_t(3));
    QCOMPARE(b.fileOf("model.embed_tokens.weight"), std::string("model-00001-of-00003.safetensors"));
    QCOMPARE(b.fileOf("lm_head.weight"), std::string("model-00003-of-00003.safetensors"));
    QCOMPARE(b.tensorNames(), a.tensorNames());
    for (const auto& name : a.tensorNames()) QVERIFY2(at::equal(a.tensor(name), b.tensor(name)), name.c_str());
    const json index = json::parse(ckpt_test::readBytes(sharded + "/model.safetensors.index.json"));
    QCOMPARE(index["metadata"]["total_size"].get<int64_t>(), c.parameterCount() * 2);

    // HF-style init: ones for norms, zeros for biases, N(0, 0.02) for matrices.
    QVERIFY(at::equal(a.tensor("model.norm.weight"), at::ones({16}, at::kBFloat16)));
    QVERIFY(at::equal(a.tensor("model.layers.1.self_attn.q_proj.bias"), at::zeros({16}, at::kBFloat16)));
    at::Tensor big = srdd::randomTensor("big.weight", {512, 512}, at::kFloat, 5);
    QVERIFY(std::abs(big.std().item<double>() - 0.02) < 0.0005);  // 262144 samples: std error ~3e-5
    QVERIFY(std::abs(big.mean().item<double>()) < 0.0002);

    // Rewriting a directory with the other layout removes the stale weight files.
    srdd::writeRandomCheckpoint(c, sharded, at::kFloat, 42, 1);
    const auto rewritten = srdd::Checkpoint::open(sharded);
    QCOMPARE(rewritten.files().size(), size_t(1));
    QVERIFY(!fs::exists(sharded + "/model.safetensors.index.json"));
    QVERIFY(!fs::exists(sharded + "/model-00001-of-00003.safetensors"));
    QCOMPARE(rewritten.dtypeOf("lm_head.weight"), std::string("F32"));
    QVERIFY(at::equal(rewritten.tensor("lm_head.weight").to(at::kBFloat16), a.tensor("lm_head.weight")));

    // A directory holding real weights is never overwritten.
    const std::string real = newDir();
    writeModel(real, c.toJson(), randomTensors(c, at::kFloat));
    const std::string before = ckpt_test::readBytes(real + "/model.safetensors");
    EXPECT_SRDD_ERROR(srdd::writeRandomCheckpoint(c, real, at::kBFloat16, 1, 2), real + "/model.safetensors",
                      "holds model weights that make-random did not write");
    QCOMPARE(ckpt_test::readBytes(real + "/model.safetensors"), before);
    QVERIFY(!fs::exists(real + "/model.safetensors.index.json"));

    EXPECT_SRDD_ERROR(srdd::writeRandomCheckpoint(c, newDir(), at::kBFloat16, 1, 1000), "into 1000 shards",
                      "cannot split");
    EXPECT_SRDD_ERROR(srdd::writeRandomCheckpoint(c, newDir(), at::kDouble, 1, 1), "m", "not Double");
  }

  void acceptsTiedCheckpointWithLmHead() {
    const auto c = tinyConfig(true);
    auto tensors = randomTensors(c, at::kFloat);
    tensors.push_back({"lm_head.weight", tensors.front().second});
    tensors.push_back({"model.layers.0.self_attn.rotary_emb.inv_freq", at::ones({4})});  // old Llama buffer: ignored
    const std::string dir = newDir();
    writeModel(dir, c.toJson(), tensors);
    const auto ckpt = srdd::Checkpoint::open(dir);
    QVERIFY(ckpt.has("lm_head.weight"));
    QVERIFY(!ckpt.has("model.layers.0.self_attn.rotary_emb.inv_freq"));

    tensors.pop_back();
    tensors.back().second = at::zeros({31, 16});
    const std::string bad = newDir();
    writeModel(bad, c.toJson(), tensors);
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(bad), bad + "/model.safetensors",
                      "tensor 'lm_head.weight' has shape [31, 16] but config.json implies [32, 16]");
  }

  void rejectsBadDirectories() {
    const auto c = tinyConfig();
    const auto tensors = randomTensors(c, at::kBFloat16);
    const std::string absent = newDir();
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(absent), absent, "model directory does not exist");
    const std::string notDir = newDir();
    ckpt_test::writeBytes(notDir, "x");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(notDir), notDir, "not a directory");

    const std::string noConfig = newDir();
    writeModel(noConfig, c.toJson(), tensors);
    fs::remove(noConfig + "/config.json");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(noConfig), noConfig + "/config.json", "missing");

    const std::string empty = newDir();
    fs::create_directories(empty);
    ckpt_test::writeBytes(empty + "/config.json", c.toJson().dump());
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(empty), empty, "no model.safetensors or model.safetensors.index.json");

    // A pickle checkpoint is refused by name; it is never opened (an unreadable one gives the same message).
    const std::string pickle = newDir();
    fs::create_directories(pickle);
    ckpt_test::writeBytes(pickle + "/config.json", c.toJson().dump());
    ckpt_test::writeBytes(pickle + "/pytorch_model.bin", "\x80\x02}q\x00.");
    fs::permissions(pickle + "/pytorch_model.bin", fs::perms::none);
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(pickle), pickle + "/pytorch_model.bin", "can execute arbitrary code");
  }

  void rejectsBadTensorSets() {
    const auto c = tinyConfig();
    auto tensors = randomTensors(c, at::kBFloat16);
    auto variant = [&](auto edit) {
      auto copy = tensors;
      edit(copy);
      const std::string dir = newDir();
      writeModel(dir, c.toJson(), copy);
      return dir;
    };
    std::string dir = variant([](auto& t) { t.erase(t.begin() + 5); });
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/model.safetensors",
                      "missing tensor '" + tensors[5].first + "' (shape ");
    dir = variant([](auto& t) { t.erase(t.begin() + 3, t.begin() + 6); });
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir, "and 2 more needed by a Qwen2ForCausalLM with 2 layers");
    dir = variant([](auto& t) {
      t.push_back({"model.layers.2.mlp.up_proj.weight", at::zeros({24, 16}, at::kBFloat16)});
    });
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/model.safetensors",
                      "unexpected tensor 'model.layers.2.mlp.up_proj.weight'");
    dir = variant([](auto& t) { t[1].second = at::zeros({17}, at::kBFloat16); });
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/model.safetensors",
                      "tensor '" + tensors[1].first + "' has shape [17] but config.json implies [16]");
    dir = variant([](auto& t) { t[2].second = t[2].second.to(at::kDouble); });
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/model.safetensors",
                      "tensor '" + tensors[2].first + "' has unsupported dtype F64");
    // A malformed safetensors file inside a model directory is reported with its path.
    dir = variant([](auto&) {});
    ckpt_test::writeBytes(dir + "/model.safetensors", "1234");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/model.safetensors", "too short");
    // A bad config.json is reported with its path.
    dir = variant([](auto&) {});
    ckpt_test::writeBytes(dir + "/config.json", R"({"architectures": ["GPT2LMHeadModel"]})");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + "/config.json", "unknown architecture 'GPT2LMHeadModel'");
  }

  void rejectsBadIndexes() {
    const auto c = tinyConfig();
    const std::string good = newDir();
    srdd::writeRandomCheckpoint(c, good, at::kBFloat16, 3, 2);
    const std::string indexName = "/model.safetensors.index.json";
    const json index = json::parse(ckpt_test::readBytes(good + indexName));
    auto variant = [&](const std::string& indexText) {
      const std::string dir = newDir();
      fs::copy(good, dir);
      ckpt_test::writeBytes(dir + indexName, indexText);
      return dir;
    };
    std::string dir = variant("{\"weight_map\": {");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + indexName, "index is not valid JSON");
    dir = variant(R"({"metadata": {}})");
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + indexName, "index has no \"weight_map\" object");
    json j = index;
    j["weight_map"]["model.norm.weight"] = "model-00009-of-00009.safetensors";
    dir = variant(j.dump());
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + indexName,
                      "shard 'model-00009-of-00009.safetensors' (holding 'model.norm.weight') does not exist");
    j = index;
    j["weight_map"]["model.norm.weight"] = "../elsewhere.safetensors";
    dir = variant(j.dump());
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + indexName, "not a file in the model directory");
    j = index;
    j["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors";  // it lives in shard 2
    dir = variant(j.dump());
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), dir + indexName, "lists tensor 'model.norm.weight' in");
    j = index;
    j["weight_map"].erase("model.norm.weight");
    dir = variant(j.dump());
    EXPECT_SRDD_ERROR(srdd::Checkpoint::open(dir), "model-00002-of-00002.safetensors",
                      "holds tensor 'model.norm.weight', which " + dir + indexName + " does not list");
  }
};

QTEST_APPLESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
