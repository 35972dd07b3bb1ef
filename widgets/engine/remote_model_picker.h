#pragma once
// Engine → Browse Models on Engine Host…: a folder browser that lists directories on the engine's host
// ("list_dir" requests) and the Hugging Face cache there ("hf_cache"), marking model directories (those
// with a config.json). Choosing one gives its path on that host. Every listing is a job of the app's
// engine client; the dialog never waits for one.
#include <nlohmann/json.hpp>

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace srdd_gui {

class EngineClient;

class RemoteModelPicker : public QDialog {
  Q_OBJECT
 public:
  // START: the folder to list first ("" = the engine's home directory).
  RemoteModelPicker(EngineClient* client, const QString& start, QWidget* parent = nullptr);

  void listDirectory(const QString& path);  // "" = home
  void listHfCache();
  QString currentPath() const { return m_path; }
  QString selectedModel() const;  // the chosen model directory on the engine's host, or empty
  bool isListing() const { return m_pending != 0; }
  QListWidget* list() const { return m_list; }
  QString statusText() const;

 Q_SIGNALS:
  void listed();  // a listing (or its error) is shown

 private:
  void request(const nlohmann::json& req);
  void showListing(const nlohmann::json& body, bool cache);
  void activate(QListWidgetItem* item);
  void updateButtons();

  EngineClient* m_client;
  quint64 m_pending = 0;
  QString m_path, m_parent;
  bool m_pathIsModel = false;
  QLineEdit* m_location;
  QListWidget* m_list;
  QLabel* m_status;
  QPushButton *m_up, *m_choose;
};

}  // namespace srdd_gui
