/*
 * A bus latency reader in C, written from docs/bus-format.md alone: attaches to a channel (5.1),
 * follows it with the blocking wait of 5.3 (drain, re-check, sem_clockwait), and prints the
 * hand-off latency (now - the cell's commitMonotonicNanos) as the Java and Python latency readers
 * do. The benchmark uses it to tell the writer's share of a Java -> Java hand-off from the reader's.
 *
 *   bus_reader NAME --count N [--warmup W] [--spin-us S]
 *
 * Prints one JSON object. Build: gcc -O2 -o bus_reader bus_reader.c -lpthread
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* docs/bus-format.md 2.1, 2.2, 2.3 */
enum {
    H_CELL_COUNT = 16, H_READER_SLOT_COUNT = 20, H_READER_TABLE_OFFSET = 40, H_CELL_METADATA_OFFSET = 48,
    H_WRITE_SEQUENCE = 256, SLOT_SIZE = 64, S_STATE = 0, S_PID = 4, S_REGISTRATION = 8, S_DOORBELL = 16,
    S_DOORBELL_LENGTH = 48, CELL_SIZE = 128, C_SEQUENCE = 0, C_COMMIT_MONOTONIC_NANOS = 80,
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long arg_long(int argc, char **argv, const char *name, long fallback) {
    for (int i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return atol(argv[i + 1]);
        }
    }
    return fallback;
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double percentile_us(const int64_t *sorted, long n, double p) {
    return (double)sorted[(long)(p * (double)(n - 1) + 0.5)] / 1000.0;
}

static int table_lock(int fd, off_t offset, off_t length, short type) {
    struct flock lock = {.l_type = type, .l_whence = SEEK_SET, .l_start = offset, .l_len = length};
    return fcntl(fd, F_SETLKW, &lock);
}

#define U32(base, offset) ((_Atomic uint32_t *)((base) + (offset)))
#define I64(base, offset) ((_Atomic int64_t *)((base) + (offset)))

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bus_reader NAME --count N [--warmup W] [--spin-us S]\n");
        return 2;
    }
    long count = arg_long(argc, argv, "--count", 2000), warmup = arg_long(argc, argv, "--warmup", 1000);
    long spin_us = arg_long(argc, argv, "--spin-us", 0);
    char path[128], doorbell[S_DOORBELL_LENGTH];
    snprintf(path, sizeof path, "/dev/shm/virta.%s", argv[1]);
    snprintf(doorbell, sizeof doorbell, "virta.r.%d.c1", getpid());
    int fd = open(path, O_RDWR | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 1;
    }
    char *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char sem_name[S_DOORBELL_LENGTH + 1] = "/";
    strcat(sem_name, doorbell);
    sem_t *sem = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
    if (m == MAP_FAILED || sem == SEM_FAILED) {
        perror("mmap/sem_open");
        return 1;
    }
    uint32_t cells = atomic_load(U32(m, H_CELL_COUNT)), slots = atomic_load(U32(m, H_READER_SLOT_COUNT));
    uint64_t table = *(uint64_t *)(m + H_READER_TABLE_OFFSET), metadata = *(uint64_t *)(m + H_CELL_METADATA_OFFSET);

    /* 5.1 steps 4 and 5: the cursor from writeSequence as loaded before the slot is taken. */
    int64_t cursor = atomic_load(I64(m, H_WRITE_SEQUENCE)) + 1;
    table_lock(fd, (off_t)table, (off_t)slots * SLOT_SIZE, F_WRLCK);
    long slot = -1;
    for (uint32_t s = 0; s < slots && slot < 0; s++) {
        char *base = m + table + (uint64_t)s * SLOT_SIZE;
        if (atomic_load(U32(base, S_STATE)) == 0) {
            slot = s;
            atomic_store(U32(base, S_PID), (uint32_t)getpid());
            memset(base + S_DOORBELL, 0, S_DOORBELL_LENGTH);
            strcpy(base + S_DOORBELL, doorbell);
            atomic_store_explicit(I64(base, S_REGISTRATION), (int64_t)now_ns() | 1, memory_order_release);
            atomic_store_explicit(U32(base, S_STATE), 1, memory_order_release);
        }
    }
    table_lock(fd, (off_t)table, (off_t)slots * SLOT_SIZE, F_UNLCK);
    if (slot < 0) {
        fprintf(stderr, "channel '%s' has no free reader slot\n", argv[1]);
        return 1;
    }

    int64_t *samples = malloc(sizeof(int64_t) * (size_t)count);
    long n = 0, seen = 0;
    while (n < count) {
        int64_t spin_until = now_ns() + spin_us * 1000;
        while (atomic_load_explicit(I64(m, H_WRITE_SEQUENCE), memory_order_acquire) < cursor) {
            if (spin_us > 0 && now_ns() < spin_until) {
                continue;
            }
            while (sem_trywait(sem) == 0) {
            }
            if (atomic_load_explicit(I64(m, H_WRITE_SEQUENCE), memory_order_acquire) >= cursor) {
                break;
            }
            struct timespec deadline;
            clock_gettime(CLOCK_MONOTONIC, &deadline);
            deadline.tv_nsec += 100000000;
            if (deadline.tv_nsec >= 1000000000) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000;
            }
            if (sem_clockwait(sem, CLOCK_MONOTONIC, &deadline) != 0 && now_ns() - spin_until > 10000000000LL) {
                break; /* a quiet writer for 10 s: give up with what we have */
            }
        }
        int64_t woke = now_ns();
        int64_t written = atomic_load_explicit(I64(m, H_WRITE_SEQUENCE), memory_order_acquire);
        if (written < cursor) {
            break;
        }
        if (written - cursor >= (int64_t)cells) {
            cursor = written; /* 5.2 step 3 */
        }
        char *cell = m + metadata + (uint64_t)((cursor - 1) % cells) * CELL_SIZE;
        int64_t commit = atomic_load_explicit(I64(cell, C_COMMIT_MONOTONIC_NANOS), memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(I64(cell, C_SEQUENCE), memory_order_acquire) == cursor && seen++ >= warmup) {
            samples[n++] = woke - commit;
        }
        cursor++;
    }

    /* Detaching (5.1): FREE under the lock, then remove the doorbell. */
    table_lock(fd, (off_t)table, (off_t)slots * SLOT_SIZE, F_WRLCK);
    atomic_store_explicit(U32(m + table + (uint64_t)slot * SLOT_SIZE, S_STATE), 0, memory_order_release);
    table_lock(fd, (off_t)table, (off_t)slots * SLOT_SIZE, F_UNLCK);
    sem_close(sem);
    sem_unlink(sem_name);
    if (n == 0) {
        printf("{\"reader\":\"c\",\"n\":0}\n");
        return 1;
    }
    qsort(samples, (size_t)n, sizeof(int64_t), compare_i64);
    printf("{\"reader\":\"c\",\"n\":%ld,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}\n", n,
           percentile_us(samples, n, 0.50), percentile_us(samples, n, 0.99), percentile_us(samples, n, 0.999),
           (double)samples[n - 1] / 1000.0);
    return n == count ? 0 : 1;
}
