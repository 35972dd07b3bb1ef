#include "engine/remote_model_picker.h"

#include "engine/engine_client.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace srdd_gui {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kModelRole = Qt::UserRole + 2;
constexpr int kDirRole = Qt::UserRole + 3;

QString joinPath(const QString& dir, const QString& name) {
  return dir.endsWith('/') ? dir + name : dir + QLatin1Char('/') + name;
}
}  // namespace

RemoteModelPicker::RemoteModelPicker(EngineClient* client, const QString& start, QWidget* parent)
    : QDialog(parent), m_client(client) {
  setObjectName(QStringLiteral("remoteModelPicker"));
  QString where = client->host().isEmpty() ? client->description() : client->host();
  setWindowTitle(tr("Models on %1").arg(where));
  m_location = new QLineEdit;
  m_location->setObjectName(QStringLiteral("location"));
  m_up = new QPushButton(tr("Up"));
  auto* home = new QPushButton(tr("Home"));
  auto* cache = new QPushButton(tr("Hugging Face cache"));
  cache->setObjectName(QStringLiteral("hfCache"));
  auto* top = new QHBoxLayout;
  top->addWidget(m_location, 1);
  top->addWidget(m_up);
  top->addWidget(home);
  top->addWidget(cache);
  m_list = new QListWidget;
  m_list->setObjectName(QStringLiteral("entries"));
  m_status = new QLabel;
  m_status->setObjectName(QStringLiteral("pickerStatus"));
  m_status->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
  m_choose = buttons->addButton(tr("Open Model"), QDialogButtonBox::AcceptRole);
  m_choose->setObjectName(QStringLiteral("chooseModel"));
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("Folders on the engine's host (%1). \u25c6 marks a model directory.").arg(where)));
  layout->addLayout(top);
  layout->addWidget(m_list, 1);
  layout->addWidget(m_status);
  layout->addWidget(buttons);

  connect(m_location, &QLineEdit::returnPressed, this, [this] { listDirectory(m_location->text().trimmed()); });
  connect(m_up, &QPushButton::clicked, this, [this] { listDirectory(m_parent); });
  connect(home, &QPushButton::clicked, this, [this] { listDirectory(QString()); });
  connect(cache, &QPushButton::clicked, this, &RemoteModelPicker::listHfCache);
  connect(m_list, &QListWidget::itemActivated, this, &RemoteModelPicker::activate);
  connect(m_list, &QListWidget::currentItemChanged, this, &RemoteModelPicker::updateButtons);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(m_choose, &QPushButton::clicked, this, [this] {
    if (!selectedModel().isEmpty()) accept();
  });
  resize(640, 480);
  listDirectory(start);
}

QString RemoteModelPicker::statusText() const { return m_status->text(); }

void RemoteModelPicker::listDirectory(const QString& path) {
  request({{"type", "list_dir"}, {"path", path.toStdString()}});
}

void RemoteModelPicker::listHfCache() { request({{"type", "hf_cache"}}); }

void RemoteModelPicker::request(const nlohmann::json& req) {
  if (m_pending) m_client->cancel(m_pending);
  const bool cache = req.value("type", "") == "hf_cache";
  m_status->setText(tr("Listing\u2026"));
  m_pending = m_client->submit(req, this, [this, cache](const JobEvent& e) {
    if (!e.isFinal() || e.job != m_pending) return;
    m_pending = 0;
    if (e.type == "result")
      showListing(e.body, cache);
    else
      m_status->setText(e.type == "error" ? e.message() : tr("cancelled"));
    updateButtons();
    Q_EMIT listed();
  });
  updateButtons();
}

void RemoteModelPicker::showListing(const nlohmann::json& body, bool cache) {
  m_list->clear();
  if (cache) {
    m_path.clear();
    m_parent = m_path;
    m_pathIsModel = false;
    m_location->setText(QString::fromStdString(body.value("cache_dir", "")));
    const auto models = body.value("models", nlohmann::json::array());
    for (const auto& m : models) {
      const QString path = QString::fromStdString(m.value("path", ""));
      auto* item = new QListWidgetItem(QStringLiteral("\u25c6 %1 (%2)")
                                           .arg(QString::fromStdString(m.value("repo", "")),
                                                QString::fromStdString(m.value("revision", "")).left(12)));
      item->setData(kPathRole, path);
      item->setData(kModelRole, true);
      item->setData(kDirRole, true);
      item->setToolTip(path);
      m_list->addItem(item);
    }
    m_status->setText(models.empty()
                          ? tr("No models in the Hugging Face cache at %1").arg(m_location->text())
                          : tr("%n model(s) in the Hugging Face cache", nullptr, static_cast<int>(models.size())));
    return;
  }
  m_path = QString::fromStdString(body.value("path", ""));
  m_parent = QString::fromStdString(body.value("parent", ""));
  m_pathIsModel = body.value("model", false);
  m_location->setText(m_path);
  int models = 0;
  for (const auto& e : body.value("entries", nlohmann::json::array())) {
    const bool dir = e.value("kind", "") == "dir";
    const bool model = e.value("model", false);
    const QString name = QString::fromStdString(e.value("name", ""));
    if (!dir) continue;  // a model is a folder; files are not offered
    auto* item = new QListWidgetItem((model ? QStringLiteral("\u25c6 ") : QStringLiteral("\U0001F4C1 ")) + name);
    item->setData(kPathRole, joinPath(m_path, name));
    item->setData(kModelRole, model);
    item->setData(kDirRole, true);
    m_list->addItem(item);
    models += model;
  }
  m_status->setText(m_pathIsModel ? tr("This folder is a model directory.")
                                  : tr("%1 folders, %2 model directories").arg(m_list->count()).arg(models));
}

void RemoteModelPicker::activate(QListWidgetItem* item) {
  if (!item) return;
  if (item->data(kModelRole).toBool()) {
    m_list->setCurrentItem(item);
    accept();
    return;
  }
  listDirectory(item->data(kPathRole).toString());
}

QString RemoteModelPicker::selectedModel() const {
  const QListWidgetItem* item = m_list->currentItem();
  if (item && item->data(kModelRole).toBool()) return item->data(kPathRole).toString();
  return m_pathIsModel ? m_path : QString();
}

void RemoteModelPicker::updateButtons() {
  m_choose->setEnabled(!selectedModel().isEmpty());
  m_up->setEnabled(!m_parent.isEmpty() && m_parent != m_path);
}

}  // namespace srdd_gui
