/* A stand-in for libnvidia-ml.so.1 with the same C signatures and struct layouts as NVML
 * (nvml.h), for testing kernels/nvml.ts on machines without an NVIDIA driver. Two GPUs with
 * fixed readings; FAKE_NVML_FAIL_INIT=1 makes nvmlInit_v2 fail like a driver/library mismatch. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;
typedef struct fake_device { int index; } *nvmlDevice_t;

static struct fake_device devices[2] = {{0}, {1}};

const char *nvmlErrorString(int result) { return result == 18 ? "Driver/library version mismatch" : "Unknown Error"; }
int nvmlInit_v2(void) { const char *f = getenv("FAKE_NVML_FAIL_INIT"); return f && f[0] == '1' ? 18 : 0; }
int nvmlShutdown(void) { return 0; }
int nvmlDeviceGetCount_v2(unsigned int *count) { *count = 2; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (index > 1) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
  *device = &devices[index];
  return 0;
}
int nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  strncpy(name, d->index == 0 ? "NVIDIA H200" : "NVIDIA H100 80GB HBM3", length);
  return 0;
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  strncpy(uuid, d->index == 0 ? "GPU-00000000-aaaa-bbbb-cccc-000000000000" : "GPU-11111111-aaaa-bbbb-cccc-111111111111", length);
  return 0;
}
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { u->gpu = d->index == 0 ? 87 : 3; u->memory = 40; return 0; }
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  m->total = d->index == 0 ? 150754820096ULL : 85520809984ULL; /* beyond 2^32: catches a 32-bit field */
  m->used = d->index == 0 ? 120000000000ULL : 1048576ULL;
  m->free = m->total - m->used;
  return 0;
}
int nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) { if (sensor != 0) return 2; *t = d->index == 0 ? 71 : 34; return 0; }
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) { *mw = d->index == 0 ? 612345 : 70500; return 0; }
