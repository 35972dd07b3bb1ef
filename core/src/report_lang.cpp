// The report's languages and its one English → Simplified Chinese string table: the page text (report_page.cpp)
// and the figures' titles, axis labels and captions (srdd-studio installs a translator that reads this table).
// A text missing here stays English. Keys are the exact English texts, with Qt-style %1 placeholders.
#include <regex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "srdd/error.h"
#include "srdd/report.h"

namespace srdd::report {

namespace {
const std::unordered_map<std::string, std::string>& chinese() {
  static const std::unordered_map<std::string, std::string> table = {
      // Page: title, sections, summary.
      {"SRDD report: %1", "SRDD 诊断报告：%1"},
      {"Summary", "摘要"},
      {"Model", "模型"},
      {"Quantization", "量化"},
      {"Prompts", "提示"},
      {"%1 from %2 (at most %3 tokens each)", "%1 条，来自 %2（每条最多 %3 个词元）"},
      {"Rule set", "规则集"},
      {"floor (excess over the format's noise floor)", "floor（超出格式自身噪声下限的部分）"},
      {"absolute (the research scripts' fixed thresholds)", "absolute（研究脚本的固定阈值）"},
      {"Problematic layers", "问题层"},
      {"Ranking (most harmful first)", "排序（危害最大者优先）"},
      {"Target set", "目标层集合"},
      {"Recommendation", "建议"},
      {"none", "无"},
      {"no_action", "无需处理"},
      {"targeted_mitigation", "针对性缓解"},
      {"mixed_approach", "混合精度方案"},
      {"reconsider_quantization", "重新考虑量化格式"},
      {"End to end (mean [95% CI] over prompts)", "端到端（提示上的均值 [95% 置信区间]）"},
      {"loss BF16", "BF16 损失"},
      {"loss quantized", "量化损失"},
      {"loss change", "损失变化"},
      {"KL divergence", "KL 散度"},
      // Flagged layers.
      {"Flagged layers", "被标记的层"},
      {"No layer was flagged.", "没有层被标记。"},
      {"Layer", "层"},
      {"Rule", "规则"},
      {"Metric", "指标"},
      {"Value", "数值"},
      {"Threshold", "阈值"},
      {"Tensor", "张量"},
      {"Why", "原因"},
      {"threshold rule", "阈值规则"},
      {"anomaly (informative)", "异常（仅供参考）"},
      {"gain ratio quantized / BF16 below the threshold: a dead zone swallows the signal",
       "增益比（量化 / BF16）低于阈值：死区吞掉了信号"},
      {"kurtosis ratio below the threshold: the quantizer saturates the tails", "峰度比低于阈值：量化器使分布尾部饱和"},
      {"instability grew by more than the threshold (e.g. stochastic rounding)",
       "不稳定性的增加超过阈值（例如随机舍入）"},
      {"SQNR of the layer output below the threshold", "层输出的信号量化噪声比低于阈值"},
      {"deadzone ratio above the threshold: too many values round to zero", "死区比例高于阈值：过多数值被舍入为零"},
      {"per-block clipping ratio above the threshold", "块内截断比例高于阈值"},
      {"relative error above the threshold", "相对误差高于阈值"},
      {"SQNR lower than the format's own noise floor by more than the threshold",
       "信号量化噪声比低于格式自身噪声下限，差距超过阈值"},
      {"clipping above the format's floor by more than the threshold", "截断比例超出格式下限，差距超过阈值"},
      {"this tensor kind's excess over the floor is an outlier across the quantized layers (robust z)",
       "该类张量超出下限的部分在各量化层中是离群值（稳健 z 分数）"},
      {"robust z-score anomaly across the layers; informative, it does not make the layer problematic",
       "跨层稳健 z 分数异常；仅供参考，不会使该层成为问题层"},
      {"not quantized", "未量化"},
      // Per-layer table.
      {"Per-layer metrics", "逐层指标"},
      {"Means over the prompts; ratio = quantized / BF16. Every number, with its CI: %1.",
       "提示上的均值；比值 = 量化 / BF16。全部数值及其置信区间见 %1。"},
      {"layer", "层"},
      {"gain bf16", "增益 BF16"},
      {"gain q", "增益 量化"},
      {"ratio", "比值"},
      {"kurt bf16", "峰度 BF16"},
      {"kurt q", "峰度 量化"},
      {"instab q", "不稳定性 量化"},
      {"dSQNR dB", "ΔSQNR dB"},
      {"SQNR dB", "SQNR dB"},
      {"+dead %", "+死区 %"},
      {"dead %", "死区 %"},
      {"+clip %", "+截断 %"},
      {"clip %", "截断 %"},
      {"+rel.err", "+相对误差"},
      {"rel.err", "相对误差"},
      {"W SQNR", "权重 SQNR"},
      {"KL 1-layer", "单层 KL"},
      {"flags", "标记"},
      // AQN.
      {"AQN comparison", "AQN 对比"},
      {"No AQN comparison was given (srdd report --aqn RUNDIR).", "未提供 AQN 对比（srdd report --aqn RUNDIR）。"},
      {"AQN training runs (noise during fine-tuning), held-out loss of the quantized model; lower is better.",
       "AQN 训练运行（微调时注入噪声），量化模型的留出集损失；越低越好。"},
      {"Reference protocol: inference-time activation noise, not AQN training.",
       "参考协议：推理时激活噪声，并非 AQN 训练。"},
      {"Initial model: loss %1 quantized, %2 BF16.", "初始模型：量化损失 %1，BF16 损失 %2。"},
      {"Configuration", "配置"},
      {"Noise layers", "噪声层"},
      {"Seeds", "种子数"},
      {"Loss quantized (mean ± sd)", "量化损失（均值 ± 标准差）"},
      {"95% CI", "95% 置信区间"},
      {"Loss BF16 (mean ± sd)", "BF16 损失（均值 ± 标准差）"},
      {"all", "全部"},
      {"baseline", "基线（无噪声）"},
      {"global", "全局 AQN"},
      {"targeted", "SRDD 引导 AQN"},
      {"healthy", "健康层 AQN"},
      {"bf16-aqn", "BF16 + AQN"},
      {"Test (quantized loss)", "检验（量化损失）"},
      {"Difference", "差值"},
      {"95% CI (paired)", "95% 置信区间（配对）"},
      {"Paired p", "配对 p"},
      {"Holm p", "Holm 校正 p"},
      {"Welch p", "Welch p"},
      {"Significant", "显著"},
      {"yes", "是"},
      {"no", "否"},
      {"Significant: Holm-adjusted paired p < 0.05 over the %1 tests; runs are paired by seed.",
       "显著：%1 项检验经 Holm 校正后的配对 p < 0.05；运行按种子配对。"},
      {"Power: with %1 seeds the paired t-test (two-sided, alpha %2) detects d_z ≥ %3 with power %4.",
       "检验功效：%1 个种子时，配对 t 检验（双侧，α = %2）能以功效 %4 检出 d_z ≥ %3。"},
      {"Significance", "显著性"},
      {"SRDD-guided AQN lower loss than Global AQN, p < 0.05?", "SRDD 引导 AQN 的损失是否低于全局 AQN（p < 0.05）？"},
      {"not answered: the comparison needs the targeted and global configurations",
       "无法回答：对比需要 targeted 与 global 两种配置"},
      {"not answered: targeted − global = %1, the paired test is undefined (%2)",
       "无法回答：targeted − global = %1，配对检验无定义（%2）"},
      {"%1 — targeted − global = %2 nats (95% CI %3 to %4), paired t(%5) = %6, p = %7 (Holm-adjusted %8), d_z = %9, "
       "n = %10 seeds",
       "%1 — targeted − global = %2 nats（95% 置信区间 %3 至 %4），配对 t(%5) = %6，p = %7（Holm 校正后 %8），"
       "d_z = %9，n = %10 个种子"},
      {"More figures (%1):", "更多图（%1 幅）："},
      {"%1 prompts", "%1 条提示"},
      {"seed %1", "种子 %1"},
      // Figures and data.
      {"Figures", "图"},
      {"Figure %1. %2", "图 %1. %2"},
      {"No figures (srdd report --figures none).", "无图（srdd report --figures none）。"},
      {"Data files", "数据文件"},
      {"every per-layer number, one per row (pandas: docs/report.md)",
       "全部逐层数值，每行一个（pandas 用法见 docs/report.md）"},
      {"the flags: layer, rule, metric, value, threshold", "标记：层、规则、指标、数值、阈值"},
      {"the AQN runs' losses, one per row", "AQN 各次运行的损失，每行一个"},
      // Provenance.
      {"Provenance", "来源信息"},
      {"Scan results", "扫描结果文件"},
      {"AQN run", "AQN 运行"},
      {"Model path", "模型路径"},
      {"Model files", "模型文件"},
      {"File", "文件"},
      {"Bytes", "字节"},
      {"Settings", "设置"},
      {"Scans", "扫描"},
      {"Seed", "种子"},
      {"Engine", "引擎"},
      {"in-process (this machine)", "进程内（本机）"},
      {"Device", "设备"},
      {"Data type", "数据类型"},
      {"SRDD version", "SRDD 版本"},
      {"Created (UTC)", "创建时间（UTC）"},
      {"Threads", "线程数"},
      {"Noise", "噪声"},
      {"Training", "训练"},
      {"Written by srdd %1.", "由 srdd %1 生成。"},
      // Figures (widgets/results: titles, axis labels, legends, captions).
      {"%1: BF16 vs %2, %3", "%1：BF16 与 %2 对比，%3"},
      {"%1 (%2)", "%1（%2）"},
      {"difference", "差值"},
      {"BF16", "BF16"},
      {"ratio %1 / BF16", "比值 %1 / BF16"},
      {"Δ = %1 − BF16", "Δ = %1 − BF16"},
      {"Δ %1 − BF16", "Δ %1 − BF16"},
      {"Δ ", "Δ "},
      {"threshold %1", "阈值 %1"},
      {"Bars: mean over %1 prompts; error bars: 95 % CI (Student t)",
       "柱：%1 条提示上的均值；误差线：95% 置信区间（Student t）"},
      {"ratio: 95 % CI by the delta method over the prompt pairs", "比值：基于提示对的 delta 方法 95% 置信区间"},
      {"Δ: 95 % CI of the per-prompt differences", "Δ：逐提示差值的 95% 置信区间"},
      {"log value axes (Δ linear; values ≤ 0 not drawn)", "对数数值轴（Δ 为线性；≤ 0 的值不绘制）"},
      {"log value axes (values ≤ 0 not drawn)", "对数数值轴（≤ 0 的值不绘制）"},
      {"module", "模块"},
      {"best", "最好"},
      {"worst", "最差"},
      {"linear", "线性"},
      {"log", "对数"},
      {"diverging", "发散"},
      {"Layer × metric: %1", "层 × 指标：%1"},
      {"Layer × module: %1", "层 × 模块：%1"},
      {"per metric: worse →", "按指标：更差 →"},
      {"per metric, log: worse →", "按指标（对数）：更差 →"},
      {"← better   worse →", "← 更好   更差 →"},
      {"← worse   %1", "← 更差   %1"},
      {"   worse →", "   更差 →"},
      {"%1 − mean %2", "%1 − 均值 %2"},
      {"Higher %1 is worse.", "%1 越高越差。"},
      {"Lower %1 is worse: its low end has the top colour.", "%1 越低越差：其低端使用最高端的颜色。"},
      {"* no better direction: red = higher.", "* 无优劣方向：红色 = 更高。"},
      {"* no better direction: min → max.", "* 无优劣方向：最小 → 最大。"},
      {"Colour per metric column, from its best layer to its worst (higher-is-better metrics flipped; gain: distance "
       "from 1).",
       "每个指标列单独着色，从最好的层到最差的层（越高越好的指标已翻转；增益：与 1 的距离）。"},
      {"Colour per metric column on log10 of the value, from its best layer to its worst (higher-is-better metrics "
       "flipped; gain: distance from 1).",
       "每个指标列按数值的 log10 着色，从最好的层到最差的层（越高越好的指标已翻转；增益：与 1 的距离）。"},
      {"Colour: ratio − 1 per metric column, scaled to its largest change; red = changed for the worse (a drop, for "
       "higher-is-better metrics, gain and kurtosis).",
       "颜色：每个指标列的 比值 − 1，按其最大变化缩放；红色 = 变差（对越高越好的指标、增益和峰度而言是下降）。"},
      {"Colour: value per metric column, scaled to its largest magnitude; red = worse (a drop, for higher-is-better "
       "metrics, gain and kurtosis).",
       "颜色：每个指标列的数值，按其最大幅度缩放；红色 = 更差（对越高越好的指标、增益和峰度而言是下降）。"},
      // AQN figures (widgets/aqn/aqn_figures.cpp).
      {"Training step", "训练步"},
      {"Training loss", "训练损失"},
      {"Training loss per configuration", "各配置的训练损失"},
      {"line: mean over seeds; %1", "线：种子上的均值；%1"},
      {"band: min–max over seeds", "带：种子上的最小–最大"},
      {"band: mean ± sd over seeds", "带：种子上的均值 ± 标准差"},
      {"Final held-out loss (quantized)", "最终留出集损失（量化）"},
      {"Final loss per configuration", "各配置的最终损失"},
      {"Disc: mean over %1 seeds; error bars: 95 % CI (Student t); circles: single seeds.",
       "圆盘：%1 个种子上的均值；误差线：95% 置信区间（Student t）；圆圈：单个种子。"},
      {"σ schedule: AQN noise per training step", "σ 调度：每个训练步的 AQN 噪声"},
      // Metric names (widgets/results/metric_catalog.cpp).
      {"Gain", "增益"},
      {"Excess kurtosis", "超额峰度"},
      {"Instability", "不稳定性"},
      {"Output variance", "输出方差"},
      {"DC gain (0.1 %)", "直流增益（0.1%）"},
      {"DC gain (99.9 %)", "直流增益（99.9%）"},
      {"DC gain (mean)", "直流增益（均值）"},
      {"Discrete rate", "离散率"},
      {"Edge pile-up", "边缘堆积"},
      {"Output SQNR", "输出信号量化噪声比"},
      {"Deadzone", "死区比例"},
      {"Clipping", "截断比例"},
      {"Max-level ratio", "最大量级比例"},
      {"Relative error", "相对误差"},
      {"Mean |error|", "平均 |误差|"},
      {"Max |error|", "最大 |误差|"},
      {"Output norm", "输出范数"},
      {"Drift SQNR", "漂移信号量化噪声比"},
      {"Tokens per prompt", "每条提示的词元数"},
      {"KL, this layer only", "KL，仅量化本层"},
      {"Δ loss, this layer only", "Δ 损失，仅量化本层"},
      {"KL, all but this layer", "KL，量化除本层外所有层"},
      {"Δ loss, all but this layer", "Δ 损失，量化除本层外所有层"},
      {"KL at the last position, this layer only", "末位置 KL，仅量化本层"},
      {"KL at the last position, all but this layer", "末位置 KL，量化除本层外所有层"},
      {"Top-1 agreement, this layer only", "Top-1 一致率，仅量化本层"},
      {"Top-1 agreement, all but this layer", "Top-1 一致率，量化除本层外所有层"},
      {"Weight SQNR", "权重信号量化噪声比"},
      {"Weight deadzone", "权重死区比例"},
      {"Weight clipping", "权重截断比例"},
      {"Weight relative error", "权重相对误差"},
      {"Weight max-level ratio", "权重最大量级比例"},
      {"Weight mean |error|", "权重平均 |误差|"},
      {"Weight max |error|", "权重最大 |误差|"},
      {"Weight norm", "权重范数"},
      {" ratio", "比值"},
      // Short metric names (heatmap columns).
      {"Kurt.", "峰度"},
      {"Instab.", "不稳定"},
      {"Var.", "方差"},
      {"DC min", "直流最小"},
      {"DC max", "直流最大"},
      {"DC mean", "直流均值"},
      {"Discr.", "离散"},
      {"Pile-up", "堆积"},
      {"Dead", "死区"},
      {"Clip", "截断"},
      {"Max lvl", "最大量级"},
      {"Rel err", "相对误差"},
      {"|err|", "|误差|"},
      {"Max|err|", "最大|误差|"},
      {"Norm", "范数"},
      {"Drift", "漂移"},
      {"Tokens", "词元"},
      {"W %1", "权重 %1"},
  };
  return table;
}
}  // namespace

Language parseLanguage(const std::string& name) {
  if (name == "en") return Language::En;
  if (name == "zh" || name == "zh-CN" || name == "zh_CN") return Language::Zh;
  throw Error("unknown language '" + name + "' (expected en or zh)");
}

std::string languageName(Language l) { return l == Language::Zh ? "zh" : "en"; }
std::vector<std::string> languageNames() { return {"en", "zh"}; }

std::string translate(Language l, const std::string& english) {
  if (l == Language::En) return english;
  const auto& t = chinese();
  const auto it = t.find(english);
  return it == t.end() ? english : it->second;
}

std::string translateDetail(Language l, const std::string& english) {
  if (l == Language::En) return english;
  // The sentences of recommend() and recommendTargets() (core/src/scan_rules.cpp), names and numbers as groups.
  static const std::vector<std::pair<std::regex, std::string>> patterns = [] {
    const std::vector<std::pair<const char*, const char*>> p = {
        {R"(no layer crossed a threshold: (\S+) looks safe for this model and prompt set)",
         "没有层超过阈值：$1 对该模型和提示集看起来是安全的"},
        {R"((\d+)% of layers are problematic: keep them in higher precision \(or target AQN at them\))",
         "$1% 的层有问题：将它们保持为更高精度（或对其进行针对性 AQN）"},
        {R"((\d+)% of layers are problematic: the worst \(SQNR < (\d+) dB\) in higher precision, the others with targeted AQN)",
         "$1% 的层有问题：最差的层（SQNR < $2 dB）用更高精度，其余用针对性 AQN"},
        {R"((\d+)% of layers are problematic: (\S+) is too coarse for this model; try (\S+))",
         "$1% 的层有问题：$2 对该模型过于粗糙；请尝试 $3"},
        {R"(no layer stands out against (\S+)'s own noise floor or the other quantized layers: no target set)",
         "没有层相对于 $1 自身的噪声下限或其他量化层显得突出：无目标层集合"},
        {R"((\d+) of (\d+) quantized layers stand out: target them \(higher precision or targeted AQN\), most harmful first)",
         "$2 个量化层中有 $1 个突出：以它们为目标（更高精度或针对性 AQN），危害最大者优先"},
        {R"((\d+) of (\d+) quantized layers stand out, more than (\d+)%: try (\S+); if (\S+) stays, the (\d+) most harmful are the target set)",
         "$2 个量化层中有 $1 个突出，超过 $3%：请尝试 $4；若保留 $5，则危害最大的 $6 个为目标层集合"}};
    std::vector<std::pair<std::regex, std::string>> out;
    for (const auto& [re, zh] : p) out.emplace_back(std::regex(re), zh);
    return out;
  }();
  for (const auto& [re, zh] : patterns)
    if (std::regex_match(english, re)) return std::regex_replace(english, re, zh);
  return english;
}

const char* cjkFontFamily() { return "WenQuanYi Micro Hei"; }

}  // namespace srdd::report
