#pragma once
// The engine's handshake (Engine::hello()) in words, for the Engine dialog and the status-bar tooltip.
#include <nlohmann/json.hpp>

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace srdd_gui {

// (label, value) rows: Engine, Host, Versions, Protocol, LibTorch, CUDA kernels, then one "Device" row
// per device ("cuda:0 · NVIDIA H100 80GB HBM3 · 79.1 GiB").
QList<QPair<QString, QString>> handshakeRows(const nlohmann::json& hello);
QStringList handshakeLines(const nlohmann::json& hello);  // "label: value"
QString formatMemory(double bytes);                       // "79.1 GiB", "512 MiB"

}  // namespace srdd_gui
