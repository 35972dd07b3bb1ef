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

// rope_scaling / rope_parameters: only the plain (unscaled) RoPE is implemented.
void checkRope(const nlohmann::json& rope, const char* key, const std::string& src) {
  if (rope.is_null()) return;
  if (!rope.is_object()) throw Error(src + ": \"" + key + "\" must be an object or null, got " + rope.dump());
  std::string type = "default";
  for (const char* k : {"rope_type", "type"}) {
    if (rope.contains(k)) {
      if (!rope[k].is_string()) throw Error(src + ": \"" + key + "." + k + "\" must be a string");
      type = rope[k].get<std::string>();
    }
  }
  if (type != "default") {
    throw Error(src + ": unsupported \"" + key + "\" type '" + type + "' (only plain RoPE is implemented)");
  }
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
      throw Error(src + ": no \"architectures\" and unknown model_type '" + c.modelType + "' (supported: " +
                  joined(supportedArchitectures()) + ")");
    }
  }
  const Family* family = familyOfArchitecture(c.architecture);
  if (!family) {
    throw Error(src + ": unknown architecture '" + c.architecture + "' (supported: " + joined(supportedArchitectures()) + ")");
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
  if (j.contains("rope_parameters")) {  // transformers >= 5 moves rope_theta here
    checkRope(j["rope_parameters"], "rope_parameters", src);
    if (j["rope_parameters"].is_object() && j["rope_parameters"].contains("rope_theta")) {
      c.ropeTheta = r.numberValue(j["rope_parameters"]["rope_theta"], "rope_parameters.rope_theta");
    }
  }
  if (j.contains("rope_scaling")) checkRope(j["rope_scaling"], "rope_scaling", src);
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
      if (t != "full_attention") throw Error(src + ": unsupported layer type " + t.dump() + " in \"layer_types\" (only full_attention is implemented)");
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
    throw Error(src + ": unknown architecture '" + architecture + "' (supported: " + joined(supportedArchitectures()) + ")");
  }
  if (modelType != family->modelType) {
    throw Error(src + ": model_type '" + modelType + "' does not match architecture " + architecture + " (expected '" +
                family->modelType + "')");
  }
  const std::pair<const char*, int64_t> sizes[] = {
      {"vocab_size", vocabSize},         {"hidden_size", hiddenSize},
      {"intermediate_size", intermediateSize}, {"num_hidden_layers", numLayers},
      {"num_attention_heads", numHeads}, {"num_key_value_heads", numKvHeads},
      {"head_dim", headDim},             {"max_position_embeddings", maxPositionEmbeddings},
  };
  for (const auto& [key, value] : sizes) {
    if (value <= 0) throw Error(src + ": \"" + key + "\" must be positive, got " + std::to_string(value));
    if (value > kMaxDimension) throw Error(src + ": \"" + key + "\" is implausibly large (" + std::to_string(value) + ")");
  }
  if (numHeads % numKvHeads != 0) {
    throw Error(src + ": num_attention_heads " + std::to_string(numHeads) + " is not a multiple of num_key_value_heads " +
                std::to_string(numKvHeads));
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
  if (numLayers > kMaxLayers) throw Error(src + ": \"num_hidden_layers\" is implausibly large (" + std::to_string(numLayers) + ")");
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
    const std::pair<const char*, std::vector<int64_t>> attn[] = {{"q", {q, h}}, {"k", {kv, h}}, {"v", {kv, h}}, {"o", {h, q}}};
    for (const auto& [proj, shape] : attn) {
      out.push_back({p + "self_attn." + proj + "_proj.weight", shape});
      if (attentionBias && (proj != std::string("o") || oProjBias())) {
        out.push_back({p + "self_attn." + proj + "_proj.bias", {shape[0]}});
      }
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
      {"rope_scaling", nullptr},
      {"tie_word_embeddings", tieWordEmbeddings},
      {"hidden_act", "silu"},
      {"initializer_range", 0.02},
      {"attention_dropout", 0.0},
      {"use_cache", true},
  };
  if (headDim * numHeads != hiddenSize) j["head_dim"] = headDim;
  if (modelType == "qwen2") j["use_sliding_window"] = false;
  if (modelType == "llama") {
    j["attention_bias"] = attentionBias;
    j["mlp_bias"] = mlpBias;
  }
  if (modelType == "mistral") j["sliding_window"] = slidingWindow > 0 ? nlohmann::json(slidingWindow) : nlohmann::json(nullptr);
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

std::vector<std::string> presetNames() { return {"qwen2.5-0.5b", "qwen2.5-1.5b", "qwen2.5-7b", "tiny-qwen2"}; }

ModelConfig presetConfig(const std::string& name) {
  if (name == "qwen2.5-0.5b") return qwen2(151936, 896, 4864, 24, 14, 2, true, 32768);
  if (name == "qwen2.5-1.5b") return qwen2(151936, 1536, 8960, 28, 12, 2, true, 32768);
  if (name == "qwen2.5-7b") return qwen2(152064, 3584, 18944, 28, 28, 4, false, 32768);
  if (name == "tiny-qwen2") {
    ModelConfig c = qwen2(512, 64, 176, 2, 4, 2, true, 2048);
    c.bosTokenId = c.eosTokenId = std::nullopt;
    return c;
  }
  throw Error("unknown model preset '" + name + "' (known: " + joined(presetNames()) + ")");
}

}  // namespace srdd
