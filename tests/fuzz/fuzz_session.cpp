// Fuzzes SRDD Studio's session files (widgets/session/session.cpp): Qt's JSON reader and the field checks.
// A session that loads must save and load back equal.
#include "fuzz_support.h"
#include "session/session.h"

#include <srdd/error.h>

#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = srdd_fuzz::scratchDir() / "a.srdd-session";
  const QString qpath = QString::fromStdString(path.string());
  srdd_fuzz::writeInput(path, data, size);
  try {
    const srdd_gui::Session s = srdd_gui::Session::load(qpath);
    const QString copy = QString::fromStdString((srdd_fuzz::scratchDir() / "b.srdd-session").string());
    s.save(copy);
    if (srdd_gui::Session::load(copy) != s) __builtin_trap();
  } catch (const srdd::Error&) {
  }
  return 0;
}
