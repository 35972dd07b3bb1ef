#include "engine/handshake_text.h"

namespace srdd_gui {

namespace {
QString text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return QString::fromStdString(it->get<std::string>());
  if (it->is_boolean()) return it->get<bool>() ? QStringLiteral("yes") : QStringLiteral("no");
  return QString::fromStdString(it->dump());
}
}  // namespace

QString formatMemory(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return QStringLiteral("%1 GiB").arg(bytes / (1024.0 * 1024 * 1024), 0, 'f', 1);
  return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024), 0, 'f', 0);
}

QList<QPair<QString, QString>> handshakeRows(const nlohmann::json& hello) {
  QList<QPair<QString, QString>> rows;
  if (!hello.is_object()) return rows;
  rows << qMakePair(QStringLiteral("Engine"), text(hello, "engine"));
  rows << qMakePair(QStringLiteral("Host"), text(hello, "hostname"));
  QString version = text(hello, "engine_version");
  const QString commit = text(hello, "commit");
  if (!commit.isEmpty()) version += QStringLiteral(" (%1)").arg(commit);
  rows << qMakePair(QStringLiteral("srdd"), version);
  rows << qMakePair(QStringLiteral("Protocol"), text(hello, "protocol_version"));
  rows << qMakePair(QStringLiteral("LibTorch"), text(hello, "torch_version"));
  rows << qMakePair(QStringLiteral("CUDA kernels"), text(hello, "cuda_kernels"));
  for (const auto& d : hello.value("devices", nlohmann::json::array())) {
    if (!d.is_object()) continue;
    QStringList parts{text(d, "device")};
    if (!text(d, "name").isEmpty()) parts << text(d, "name");
    if (d.value("memory_bytes", 0.0) > 0) parts << formatMemory(d.value("memory_bytes", 0.0));
    rows << qMakePair(QStringLiteral("Device"), parts.join(QStringLiteral(" \u00b7 ")));
  }
  return rows;
}

QStringList handshakeLines(const nlohmann::json& hello) {
  QStringList lines;
  for (const auto& [label, value] : handshakeRows(hello)) lines << label + QStringLiteral(": ") + value;
  return lines;
}

}  // namespace srdd_gui
