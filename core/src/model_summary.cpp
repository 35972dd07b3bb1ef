#include "srdd/model_summary.h"

#include "srdd/checkpoint.h"

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

}  // namespace srdd
