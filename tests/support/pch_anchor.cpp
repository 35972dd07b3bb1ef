// The one source of srdd_core_test_pch, the target that compiles the precompiled header the core tests
// reuse (tests/CMakeLists.txt). Intentionally empty.
