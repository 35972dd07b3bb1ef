#include "srdd/model_summary.h"

#include <map>

#include "srdd/checkpoint.h"
#include "srdd/error.h"

namespace srdd {
namespace {

void addTensor(LayerSummary& row, const Checkpoint& ckpt, const std::string& name) {
  TensorSummary t;
  t.name = name;
  t.shape = ckpt.shapeOf(name);
  t.dtype = ckpt.dtypeOf(name);
  t.numel = 1;
  for (int64_t d : t.shape) t.numel *= d;
  t.file = ckpt.fileOf(name);
  row.parameters += t.numel;
  row.dtype = row.tensors.empty() || row.dtype == t.dtype ? t.dtype : "mixed";
  row.tensors.push_back(std::move(t));
}

}  // namespace

ModelSummary summarizeModel(const std::string& directory) {
  const Checkpoint ckpt = Checkpoint::open(directory);
  const ModelConfig& c = ckpt.config();
  ModelSummary s;
  s.directory = directory;
  s.architecture = c.architecture;
  s.modelType = c.modelType;
  s.numLayers = c.numLayers;
  s.hiddenSize = c.hiddenSize;
  s.intermediateSize = c.intermediateSize;
  s.numHeads = c.numHeads;
  s.numKvHeads = c.numKvHeads;
  s.headDim = c.headDim;
  s.vocabSize = c.vocabSize;
  s.ropeTheta = c.ropeTheta;
  s.rmsNormEps = c.rmsNormEps;
  s.tiedEmbeddings = c.tieWordEmbeddings;
  s.attentionBias = c.attentionBias;
  s.bytesOnDisk = static_cast<int64_t>(ckpt.bytesOnDisk());
  s.files = ckpt.files();

  LayerSummary embeddings{-1, "embeddings", 0, "", {}};
  addTensor(embeddings, ckpt, "model.embed_tokens.weight");
  s.rows.push_back(embeddings);
  const auto layout = c.tensorLayout();
  for (int64_t i = 0; i < c.numLayers; ++i) {
    const std::string prefix = "model.layers." + std::to_string(i) + ".";
    LayerSummary row{static_cast<int>(i), "layer " + std::to_string(i), 0, "", {}};
    for (const auto& entry : layout) {
      if (entry.first.compare(0, prefix.size(), prefix) == 0) addTensor(row, ckpt, entry.first);
    }
    s.rows.push_back(row);
  }
  LayerSummary norm{-1, "final norm", 0, "", {}};
  addTensor(norm, ckpt, "model.norm.weight");
  s.rows.push_back(norm);
  // A tied lm_head shares the embedding matrix: its row shows no parameters of its own, even when the
  // file carries a redundant copy of lm_head.weight (which transformers ignores).
  LayerSummary head{-1, c.tieWordEmbeddings ? "lm_head (tied)" : "lm_head", 0, "", {}};
  if (c.tieWordEmbeddings) {
    head.dtype = embeddings.dtype;
  } else {
    addTensor(head, ckpt, "lm_head.weight");
  }
  s.rows.push_back(head);
  for (const auto& row : s.rows) s.totalParameters += row.parameters;
  return s;
}

nlohmann::json modelSummaryToJson(const ModelSummary& s) {
  std::map<std::string, int> dtypes;
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : s.rows) {
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& t : r.tensors) {
      ++dtypes[t.dtype];
      tensors.push_back(
          {{"name", t.name}, {"shape", t.shape}, {"dtype", t.dtype}, {"numel", t.numel}, {"file", t.file}});
    }
    rows.push_back(
        {{"index", r.index}, {"name", r.name}, {"parameters", r.parameters}, {"dtype", r.dtype}, {"tensors", tensors}});
  }
  return {{"directory", s.directory},
          {"architecture", s.architecture},
          {"model_type", s.modelType},
          {"num_layers", s.numLayers},
          {"hidden_size", s.hiddenSize},
          {"intermediate_size", s.intermediateSize},
          {"num_heads", s.numHeads},
          {"num_kv_heads", s.numKvHeads},
          {"head_dim", s.headDim},
          {"vocab_size", s.vocabSize},
          {"rope_theta", s.ropeTheta},
          {"rms_norm_eps", s.rmsNormEps},
          {"tied_embeddings", s.tiedEmbeddings},
          {"attention_bias", s.attentionBias},
          {"parameters", s.totalParameters},
          {"dtypes", dtypes},
          {"bytes_on_disk", s.bytesOnDisk},
          {"files", s.files},
          {"memory_bytes", {{"bf16", s.totalParameters * 2}, {"fp32", s.totalParameters * 4}}},
          {"rows", rows}};
}

ModelSummary modelSummaryFromJson(const nlohmann::json& j) {
  try {
    ModelSummary s;
    s.directory = j.at("directory");
    s.architecture = j.at("architecture");
    s.modelType = j.at("model_type");
    s.numLayers = j.at("num_layers");
    s.hiddenSize = j.at("hidden_size");
    s.intermediateSize = j.at("intermediate_size");
    s.numHeads = j.at("num_heads");
    s.numKvHeads = j.at("num_kv_heads");
    s.headDim = j.at("head_dim");
    s.vocabSize = j.at("vocab_size");
    s.ropeTheta = j.at("rope_theta");
    s.rmsNormEps = j.at("rms_norm_eps");
    s.tiedEmbeddings = j.at("tied_embeddings");
    s.attentionBias = j.at("attention_bias");
    s.totalParameters = j.at("parameters");
    s.bytesOnDisk = j.at("bytes_on_disk");
    s.files = j.at("files").get<std::vector<std::string>>();
    for (const auto& r : j.at("rows")) {
      LayerSummary row{r.at("index"), r.at("name"), r.at("parameters"), r.at("dtype"), {}};
      for (const auto& t : r.at("tensors"))
        row.tensors.push_back(
            {t.at("name"), t.at("shape").get<std::vector<int64_t>>(), t.at("dtype"), t.at("numel"), t.at("file")});
      s.rows.push_back(std::move(row));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("model summary JSON: ") + e.what());
  }
}

}  // namespace srdd
