// The /system/request_rate answer as the snapshot keeps it.
#pragma once

#include "datto/model.h"
#include "exporter/collect/snapshot.h"

namespace drmm {

RateData RateDataFrom(const datto::RateStatus& status);

}  // namespace drmm
