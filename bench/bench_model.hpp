// bench_model.hpp — the benchmark journey model (bench/model.json: 10 touchpoints, 7 stages,
// 3 segments), shared by the micro-benchmarks, compare_funnel and the end-to-end scripts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace jk_bench {

inline const std::string& ModelJson() {
  static const std::string json = [] {
    std::ifstream in(JK_BENCH_MODEL_FILE);
    if (!in) {
      std::fprintf(stderr, "cannot read the benchmark model %s\n", JK_BENCH_MODEL_FILE);
      std::exit(1);
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  return json;
}

}  // namespace jk_bench
