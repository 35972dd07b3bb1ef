// LD_PRELOAD shim: on SIGSEGV prints the faulting pc/address and every word on the stack that points into a
// loaded object (a heuristic backtrace that survives a call through a null pointer). No gdb on the GPU host.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
static void show(const char* what, void* p) {
  Dl_info info;
  if (dladdr(p, &info) && info.dli_fname)
    dprintf(2, "SYM %s %s %#lx %s\n", what, info.dli_fname, (unsigned long)((char*)p - (char*)info.dli_fbase),
            info.dli_sname ? info.dli_sname : "?");
}
static void handler(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = (ucontext_t*)ctx;
  void* pc = (void*)uc->uc_mcontext.gregs[REG_RIP];
  unsigned long* sp = (unsigned long*)uc->uc_mcontext.gregs[REG_RSP];
  dprintf(2, "=== signal %d addr %p pc %p sp %p tid %d\n", sig, si->si_addr, pc, (void*)sp, (int)gettid());
  // A fault address just below the stack pointer is a stack overflow (deep recursion, small thread stack).
  long gap = (long)((char*)sp - (char*)si->si_addr);
  dprintf(2, "=== fault address is %ld bytes below sp%s\n", gap, labs(gap) < 65536 ? " (stack overflow?)" : "");
  show("pc", pc);
  for (int i = 0; i < 400; ++i) {
    char what[16];
    snprintf(what, sizeof what, "sp+%d", i * 8);
    show(what, (void*)sp[i]);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}
// An alternate signal stack in every thread, so that the handler also runs when a thread's stack has overflowed.
static void giveAltStack(void) {
  stack_t ss = {.ss_sp = malloc(1 << 16), .ss_flags = 0, .ss_size = 1 << 16};
  sigaltstack(&ss, 0);
}
struct start { void* (*fn)(void*); void* arg; };
static void* trampoline(void* p) {
  struct start s = *(struct start*)p;
  free(p);
  giveAltStack();
  return s.fn(s.arg);
}
int pthread_create(pthread_t* t, const pthread_attr_t* attr, void* (*fn)(void*), void* arg) {
  static int (*real)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  if (!real) real = dlsym(RTLD_NEXT, "pthread_create");
  size_t size = 0;
  if (attr && pthread_attr_getstacksize(attr, &size) == 0) dprintf(2, "=== thread with stack %zu bytes\n", size);
  struct start* s = malloc(sizeof *s);
  s->fn = fn;
  s->arg = arg;
  return real(t, attr, trampoline, s);
}
__attribute__((constructor)) static void install(void) {
  giveAltStack();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, 0);
}
