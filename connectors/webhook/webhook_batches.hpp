// webhook_batches.hpp — the JSON body of a batch and the split of records into batches.
#pragma once

#include <journeykit/plugin_abi.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace journeykit::webhook {

// One record as it appears in "records": {"type":...,"key":...,"data":{...}}.
std::string EncodeRecord(const jk_record& record);

// Size of a body holding entries of these sizes: {"batch_id":"<64 hex>","records":[a,b]}.
size_t BodySize(size_t entry_bytes_sum, size_t entry_count);

// {"batch_id":"<id>","records":[<entries joined by commas>]}.
std::string BuildBody(std::string_view batch_id, std::span<const std::string> entries);

struct BatchRange {
  size_t begin = 0;
  size_t end = 0;         // exclusive
  bool oversize = false;  // one record whose body alone is over max_bytes
};

// Splits entries, in order, into batches of at most `max_records` entries whose body is at
// most `max_bytes`. An entry too large for any batch goes alone (oversize = true).
std::vector<BatchRange> PlanBatches(std::span<const std::string> entries, size_t max_records,
                                    size_t max_bytes);

}  // namespace journeykit::webhook
