#include "srdd/model_config.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "json_depth.h"
#include "srdd/error.h"

namespace srdd {
namespace {

struct Family {
  const char* architecture;
  const char* modelType;
  int64_t defaultMaxPositions;  // the transformers config class defaults
};
const Family kFamilies[] = {
    {"Qwen2ForCausalLM", "qwen2", 32768},
    {"Qwen3ForCausalLM", "qwen3", 32768},
    {"LlamaForCausalLM", "llama", 2048},
    {"MistralForCausalLM", "mistral", 4096 * 32},
};
constexpr int64_t kMaxDimension = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxLayers = 100000;

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

const Family* familyOfArchitecture(const std::string& arch) {
  for (const auto& f : kFamilies) {
    if (arch == f.architecture) return &f;
  }
  return nullptr;
}

// Typed access to config keys with one-line errors naming the source and the key.
struct Reader {
  const nlohmann::json& j;
  const std::string& src;

  bool present(const char* key) const { return j.contains(key) && !j[key].is_null(); }
  int64_t integer(const char* key) const {
    if (!present(key)) throw Error(src + ": required key \"" + key + "\" is missing");
    const auto& v = j[key];
    if (!v.is_number_integer()) throw Error(src + ": \"" + key + "\" must be an integer, got " + v.dump());
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      throw Error(src + ": \"" + key + "\" is too large (" + v.dump() + ")");
    }
    return v.get<int64_t>();
  }
  int64_t integer(const char* key, int64_t fallback) const { return present(key) ? integer(key) : fallback; }
  double number(const char* key, double fallback) const {
    if (!present(key)) return fallback;
    return numberValue(j[key], key);
  }
  double numberValue(const nlohmann::json& v, const std::string& key) const {
    if (!v.is_number()) throw Error(src + ": \"" + key + "\" must be a number, got " + v.dump());
    return v.get<double>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!present(key)) return fallback;
    if (!j[key].is_boolean()) throw Error(src + ": \"" + key + "\" must be true or false, got " + j[key].dump());
    return j[key].get<bool>();
  }
  std::string string(const char* key) const {
    if (!present(key)) return "";
    if (!j[key].is_string()) throw Error(src + ": \"" + key + "\" must be a string, got " + j[key].dump());
    return j[key].get<std::string>();
  }
  std::optional<int64_t> tokenId(const char* key) const {
    if (!present(key)) return std::nullopt;
    const auto& v = j[key];
    const auto& first = v.is_array() && !v.empty() ? v[0] : v;
    if (!first.is_number_integer()) throw Error(src + ": \"" + key + "\" must be an integer token id, got " + v.dump());
    return first.get<int64_t>();
  }
};

// rope_scaling / rope_parameters: plain RoPE or Llama 3.1's "llama3" frequency rescaling.
RopeScaling parseRope(const nlohmann::json& rope, const std::string& key, const Reader& r) {
  RopeScaling out;
  if (rope.is_null()) return out;
  if (!rope.is_object()) throw Error(r.src + ": \"" + key + "\" must be an object or null, got " + rope.dump());
  for (const char* k : {"type", "rope_type"}) {  // "rope_type" wins when both are given, as in transformers
    if (rope.contains(k)) {
      if (!rope[k].is_string()) throw Error(r.src + ": \"" + key + "." + k + "\" must be a string");
      out.type = rope[k].get<std::string>();
    }
  }
  if (out.type == "default") return out;
  if (out.type != "llama3") {
    throw Error(r.src + ": unsupported \"" + key + "\" type '" + out.type + "' (implemented: default, llama3)");
  }
  auto number = [&](const char* k) {
    if (!rope.contains(k)) throw Error(r.src + ": \"" + key + "\" of type llama3 lacks \"" + k + "\"");
    return r.numberValue(rope[k], key + "." + k);
  };
  out.factor = number("factor");
  out.lowFreqFactor = number("low_freq_factor");
  out.highFreqFactor = number("high_freq_factor");
  const double original = number("original_max_position_embeddings");
  if (!(original >= 1 && original <= kMaxDimension) || original != std::floor(original)) {
    throw Error(r.src + ": \"" + key + ".original_max_position_embeddings\" must be a positive integer, got " +
                rope["original_max_position_embeddings"].dump());
  }
  out.originalMaxPositions = static_cast<int64_t>(original);
  return out;
}

}  // namespace

std::vector<std::string> supportedArchitectures() {
  std::vector<std::string> out;
  for (const auto& f : kFamilies) out.push_back(f.architecture);
  return out;
}

ModelConfig ModelConfig::fromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open config file");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  checkJsonFileDepth(text, path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": config is not valid JSON (" + jsonErrorText(e) + ")");
  }
  return fromJson(j, path);
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j, const std::string& src) {
  if (!j.is_object()) throw Error(src + ": config is not a JSON object");
  const Reader r{j, src};
  ModelConfig c;
  if (r.present("architectures")) {
    const auto& a = j["architectures"];
    if (!a.is_array() || a.empty() || !a[0].is_string()) {
      throw Error(src + ": \"architectures\" must be a non-empty list of strings, got " + a.dump());
    }
    c.architecture = a[0].get<std::string>();
  }
  c.modelType = r.string("model_type");
  if (c.architecture.empty()) {
    for (const auto& f : kFamilies) {
      if (c.modelType == f.modelType) c.architecture = f.architecture;
    }
    if (c.architecture.empty()) {
      throw Error(src + ": no \"architectures\" and unknown model_type '" + c.modelType +
                  "' (supported: " + joined(supportedArchitectures()) + ")");
    }
  }
  const Family* family = familyOfArchitecture(c.architecture);
  if (!family) {
    throw Error(src + ": unknown architecture '" + c.architecture +
                "' (supported: " + joined(supportedArchitectures()) + ")");
  }
  if (c.modelType.empty()) c.modelType = family->modelType;

  c.vocabSize = r.integer("vocab_size");
  c.hiddenSize = r.integer("hidden_size");
  c.intermediateSize = r.integer("intermediate_size");
  c.numLayers = r.integer("num_hidden_layers");
  c.numHeads = r.integer("num_attention_heads");
  c.numKvHeads = r.integer("num_key_value_heads", c.numHeads);
  if (r.present("head_dim")) {
    c.headDim = r.integer("head_dim");
  } else {
    if (c.numHeads > 0 && c.hiddenSize % c.numHeads != 0) {
      throw Error(src + ": hidden_size " + std::to_string(c.hiddenSize) + " is not divisible by num_attention_heads " +
                  std::to_string(c.numHeads));
    }
    c.headDim = c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0;
  }
  c.maxPositionEmbeddings = r.integer("max_position_embeddings", family->defaultMaxPositions);
  c.rmsNormEps = r.number("rms_norm_eps", 1e-6);
  c.ropeTheta = r.number("rope_theta", 10000.0);
  if (j.contains("rope_parameters")) {  // transformers >= 5 moves rope_theta and the scaling here
    c.ropeScaling = parseRope(j["rope_parameters"], "rope_parameters", r);
    if (j["rope_parameters"].is_object() && j["rope_parameters"].contains("rope_theta")) {
      c.ropeTheta = r.numberValue(j["rope_parameters"]["rope_theta"], "rope_parameters.rope_theta");
    }
  }
  if (r.present("rope_scaling")) c.ropeScaling = parseRope(j["rope_scaling"], "rope_scaling", r);
  c.tieWordEmbeddings = r.boolean("tie_word_embeddings", false);

  const std::string act = r.string("hidden_act");
  if (!act.empty() && act != "silu" && act != "swish") {
    throw Error(src + ": unsupported hidden_act '" + act + "' (only silu is implemented)");
  }
  if (c.modelType == "qwen2") {
    c.attentionBias = true;
    if (r.boolean("use_sliding_window", false)) {
      throw Error(src + ": unsupported \"use_sliding_window\": true (sliding-window attention is not implemented)");
    }
  } else if (c.modelType == "qwen3") {
    c.attentionBias = r.boolean("attention_bias", false);
    c.qkNorm = true;
    if (r.boolean("use_sliding_window", false)) {
      throw Error(src + ": unsupported \"use_sliding_window\": true (sliding-window attention is not implemented)");
    }
  } else if (c.modelType == "llama") {
    c.attentionBias = r.boolean("attention_bias", false);
    c.mlpBias = r.boolean("mlp_bias", false);
  } else if (c.modelType == "mistral") {
    c.slidingWindow = r.integer("sliding_window", 0);
  }
  if (r.present("layer_types")) {  // transformers >= 4.56 lists each layer's attention kind
    const auto& types = j["layer_types"];
    if (!types.is_array()) throw Error(src + ": \"layer_types\" must be a list, got " + types.dump());
    for (const auto& t : types) {
      if (t != "full_attention")
        throw Error(src + ": unsupported layer type " + t.dump() +
                    " in \"layer_types\" (only full_attention is implemented)");
    }
  }
  c.torchDtype = r.present("torch_dtype") ? r.string("torch_dtype") : r.string("dtype");
  c.bosTokenId = r.tokenId("bos_token_id");
  c.eosTokenId = r.tokenId("eos_token_id");
  c.padTokenId = r.tokenId("pad_token_id");
  c.validate(src);
  return c;
}

void ModelConfig::validate(const std::string& src) const {
  const Family* family = familyOfArchitecture(architecture);
  if (!family) {
    throw Error(src + ": unknown architecture '" + architecture + "' (supported: " + joined(supportedArchitectures()) +
                ")");
  }
  if (modelType != family->modelType) {
    throw Error(src + ": model_type '" + modelType + "' does not match architecture " + architecture + " (expected '" +
                family->modelType + "')");
  }
  const std::pair<const char*, int64_t> sizes[] = {
      {"vocab_size", vocabSize},
      {"hidden_size", hiddenSize},
      {"intermediate_size", intermediateSize},
      {"num_hidden_layers", numLayers},
      {"num_attention_heads", numHeads},
      {"num_key_value_heads", numKvHeads},
      {"head_dim", headDim},
      {"max_position_embeddings", maxPositionEmbeddings},
  };
  for (const auto& [key, value] : sizes) {
    if (value <= 0) throw Error(src + ": \"" + key + "\" must be positive, got " + std::to_string(value));
    if (value > kMaxDimension)
      throw Error(src + ": \"" + key + "\" is implausibly large (" + std::to_string(value) + ")");
  }
  if (numHeads % numKvHeads != 0) {
    throw Error(src + ": num_attention_heads " + std::to_string(numHeads) +
                " is not a multiple of num_key_value_heads " + std::to_string(numKvHeads));
  }
  if (modelType == "qwen2" && (hiddenSize % numHeads != 0 || headDim != hiddenSize / numHeads)) {
    throw Error(src + ": hidden_size " + std::to_string(hiddenSize) + " is not num_attention_heads " +
                std::to_string(numHeads) + " x head_dim " + std::to_string(headDim));
  }
  if (headDim % 2 != 0) throw Error(src + ": head_dim " + std::to_string(headDim) + " must be even for RoPE");
  if (!std::isfinite(rmsNormEps) || rmsNormEps <= 0) {
    throw Error(src + ": \"rms_norm_eps\" must be a finite positive number, got " + std::to_string(rmsNormEps));
  }
  if (!std::isfinite(ropeTheta) || ropeTheta <= 0) {
    throw Error(src + ": \"rope_theta\" must be a finite positive number, got " + std::to_string(ropeTheta));
  }
  if (slidingWindow < 0) throw Error(src + ": \"sliding_window\" must not be negative");
  if (ropeScaling.type == "llama3") {
    const RopeScaling& s = ropeScaling;
    if (!std::isfinite(s.factor) || s.factor <= 0 || !std::isfinite(s.lowFreqFactor) || s.lowFreqFactor <= 0 ||
        !std::isfinite(s.highFreqFactor) || s.highFreqFactor <= s.lowFreqFactor) {
      throw Error(src + ": llama3 rope scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0");
    }
  }
  if (numLayers > kMaxLayers)
    throw Error(src + ": \"num_hidden_layers\" is implausibly large (" + std::to_string(numLayers) + ")");
  if (numHeads * headDim > kMaxDimension) throw Error(src + ": num_attention_heads x head_dim is implausibly large");
  try {
    (void)parameterCount();
  } catch (const Error& e) {
    throw Error(src + ": " + e.what());
  }
}

TensorLayout ModelConfig::tensorLayout() const {
  const int64_t q = numHeads * headDim, kv = numKvHeads * headDim, h = hiddenSize, m = intermediateSize;
  TensorLayout out;
  out.push_back({"model.embed_tokens.weight", {vocabSize, h}});
  for (int64_t i = 0; i < numLayers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    out.push_back({p + "input_layernorm.weight", {h}});
    const std::pair<const char*, std::vector<int64_t>> attn[] = {
        {"q", {q, h}}, {"k", {kv, h}}, {"v", {kv, h}}, {"o", {h, q}}};
    for (const auto& [proj, shape] : attn) {
      out.push_back({p + "self_attn." + proj + "_proj.weight", shape});
      if (attentionBias && (proj != std::string("o") || oProjBias())) {
        out.push_back({p + "self_attn." + proj + "_proj.bias", {shape[0]}});
      }
    }
    if (qkNorm) {
      out.push_back({p + "self_attn.q_norm.weight", {headDim}});
      out.push_back({p + "self_attn.k_norm.weight", {headDim}});
    }
    out.push_back({p + "post_attention_layernorm.weight", {h}});
    const std::pair<const char*, std::vector<int64_t>> mlp[] = {{"gate", {m, h}}, {"up", {m, h}}, {"down", {h, m}}};
    for (const auto& [proj, shape] : mlp) {
      out.push_back({p + "mlp." + proj + "_proj.weight", shape});
      if (mlpBias) out.push_back({p + "mlp." + proj + "_proj.bias", {shape[0]}});
    }
  }
  out.push_back({"model.norm.weight", {h}});
  if (!tieWordEmbeddings) out.push_back({"lm_head.weight", {vocabSize, h}});
  return out;
}

int64_t ModelConfig::parameterCount() const {
  int64_t total = 0;
  for (const auto& [name, shape] : tensorLayout()) {
    int64_t n = 1;
    for (int64_t d : shape) {
      if (__builtin_mul_overflow(n, d, &n)) throw Error("model config: the size of " + name + " overflows 64 bits");
    }
    if (__builtin_add_overflow(total, n, &total)) throw Error("model config: the parameter count overflows 64 bits");
  }
  return total;
}

nlohmann::json ModelConfig::toJson() const {
  nlohmann::json j = {
      {"architectures", {architecture}},
      {"model_type", modelType},
      {"vocab_size", vocabSize},
      {"hidden_size", hiddenSize},
      {"intermediate_size", intermediateSize},
      {"num_hidden_layers", numLayers},
      {"num_attention_heads", numHeads},
      {"num_key_value_heads", numKvHeads},
      {"max_position_embeddings", maxPositionEmbeddings},
      {"rms_norm_eps", rmsNormEps},
      {"rope_theta", ropeTheta},
      {"rope_scaling", ropeScaling.type == "default"
                           ? nlohmann::json(nullptr)
                           : nlohmann::json{{"rope_type", ropeScaling.type},
                                            {"factor", ropeScaling.factor},
                                            {"low_freq_factor", ropeScaling.lowFreqFactor},
                                            {"high_freq_factor", ropeScaling.highFreqFactor},
                                            {"original_max_position_embeddings", ropeScaling.originalMaxPositions}}},
      {"tie_word_embeddings", tieWordEmbeddings},
      {"hidden_act", "silu"},
      {"initializer_range", 0.02},
      {"attention_dropout", 0.0},
      {"use_cache", true},
  };
  if (headDim * numHeads != hiddenSize || modelType == "qwen3") j["head_dim"] = headDim;
  if (modelType == "qwen2" || modelType == "qwen3") j["use_sliding_window"] = false;
  if (modelType == "llama" || modelType == "qwen3") j["attention_bias"] = attentionBias;
  if (modelType == "llama") j["mlp_bias"] = mlpBias;
  if (modelType == "mistral")
    j["sliding_window"] = slidingWindow > 0 ? nlohmann::json(slidingWindow) : nlohmann::json(nullptr);
  if (!torchDtype.empty()) j["torch_dtype"] = torchDtype;
  if (bosTokenId) j["bos_token_id"] = *bosTokenId;
  if (eosTokenId) j["eos_token_id"] = *eosTokenId;
  if (padTokenId) j["pad_token_id"] = *padTokenId;
  return j;
}

namespace {
ModelConfig qwen2(int64_t vocab, int64_t hidden, int64_t inter, int64_t layers, int64_t heads, int64_t kv, bool tied,
                  int64_t maxPos) {
  ModelConfig c;
  c.architecture = "Qwen2ForCausalLM";
  c.modelType = "qwen2";
  c.vocabSize = vocab;
  c.hiddenSize = hidden;
  c.intermediateSize = inter;
  c.numLayers = layers;
  c.numHeads = heads;
  c.numKvHeads = kv;
  c.headDim = hidden / heads;
  c.maxPositionEmbeddings = maxPos;
  c.rmsNormEps = 1e-6;
  c.ropeTheta = 1000000.0;
  c.tieWordEmbeddings = tied;
  c.attentionBias = true;
  c.torchDtype = "bfloat16";
  c.bosTokenId = 151643;
  c.eosTokenId = 151645;
  return c;
}
}  // namespace

std::vector<std::string> presetNames() {
  return {"qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-3b", "qwen2.5-7b",   "qwen2.5-14b",
          "qwen2.5-32b",  "qwen2.5-72b",  "qwen3-0.6b", "llama-3.2-1b", "tiny-qwen2"};
}

ModelConfig presetConfig(const std::string& name) {
  if (name == "qwen2.5-0.5b") return qwen2(151936, 896, 4864, 24, 14, 2, true, 32768);
  if (name == "qwen2.5-1.5b") return qwen2(151936, 1536, 8960, 28, 12, 2, true, 32768);
  if (name == "qwen2.5-3b") return qwen2(151936, 2048, 11008, 36, 16, 2, true, 32768);
  if (name == "qwen2.5-7b") return qwen2(152064, 3584, 18944, 28, 28, 4, false, 32768);
  if (name == "qwen2.5-14b") return qwen2(152064, 5120, 13824, 48, 40, 8, false, 32768);
  if (name == "qwen2.5-32b") return qwen2(152064, 5120, 27648, 64, 40, 8, false, 32768);
  if (name == "qwen2.5-72b") return qwen2(152064, 8192, 29568, 80, 64, 8, false, 32768);
  if (name == "qwen3-0.6b") {
    ModelConfig c = qwen2(151936, 1024, 3072, 28, 16, 8, true, 40960);
    c.architecture = "Qwen3ForCausalLM";
    c.modelType = "qwen3";
    c.headDim = 128;
    c.attentionBias = false;
    c.qkNorm = true;
    c.eosTokenId = 151645;
    return c;
  }
  if (name == "llama-3.2-1b") {
    ModelConfig c = qwen2(128256, 2048, 8192, 16, 32, 8, true, 131072);
    c.architecture = "LlamaForCausalLM";
    c.modelType = "llama";
    c.attentionBias = false;
    c.rmsNormEps = 1e-5;
    c.ropeTheta = 500000.0;
    c.ropeScaling = {"llama3", 32.0, 1.0, 4.0, 8192};
    c.bosTokenId = 128000;
    c.eosTokenId = 128001;  // the first of the config's [128001, 128008, 128009]
    return c;
  }
  if (name == "tiny-qwen2") {
    ModelConfig c = qwen2(512, 64, 176, 2, 4, 2, true, 2048);
    c.bosTokenId = c.eosTokenId = std::nullopt;
    return c;
  }
  throw Error("unknown model preset '" + name + "' (known: " + joined(presetNames()) + ")");
}

}  // namespace srdd
