// The run directory's lock: flock(2) on RUNDIR/.srdd-aqn.lock, the holder's pid written into it for the
// message another process shows.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "srdd/aqn_rundir.h"
#include "srdd/error.h"

namespace fs = std::filesystem;

namespace srdd::aqn::rundir {

namespace {
std::string holderPid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}
}  // namespace

Lock::Lock(const std::string& dir) {
  createDirectory(dir);
  const std::string path = (fs::path(dir) / kLockFileName).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path + ": cannot open the run directory's lock file: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = holderPid(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(dir + ": the run directory is in use by another srdd process (pid " + pid +
                  "); wait for it to finish or choose another --out directory");
    throw Error(path + ": cannot lock the run directory: " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only another process's message would lack it.
  }
}

Lock::~Lock() {
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor releases the flock
}

}  // namespace srdd::aqn::rundir
