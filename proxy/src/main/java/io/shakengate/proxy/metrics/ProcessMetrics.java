package io.shakengate.proxy.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.util.Locale;

/**
 * The build, process and JVM families of /metrics, in the names the Prometheus clients use
 * ({@code process_*}, {@code jvm_*}): read from the JVM's management beans at each scrape, off the event
 * loops (the metrics listener has its own thread).
 */
final class ProcessMetrics {
    private ProcessMetrics() {
    }

    static void render(StringBuilder b) {
        String version = ProcessMetrics.class.getPackage().getImplementationVersion();
        MetricsServer.family(b, "shakengate_build_info", "gauge", "The appliance's version and its Java (always 1).");
        b.append("shakengate_build_info{version=\"").append(version == null ? "development" : version)
                .append("\",java=\"").append(System.getProperty("java.version")).append("\"} 1\n");
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            MetricsServer.family(b, "process_open_fds", "gauge", "Open file descriptors.");
            b.append("process_open_fds ").append(unix.getOpenFileDescriptorCount()).append('\n');
            MetricsServer.family(b, "process_max_fds", "gauge", "The limit of open file descriptors.");
            b.append("process_max_fds ").append(unix.getMaxFileDescriptorCount()).append('\n');
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            MetricsServer.family(b, "process_cpu_seconds_total", "counter", "CPU time used by the process.");
            b.append("process_cpu_seconds_total ").append(String.format(Locale.ROOT, "%.3f",
                    sun.getProcessCpuTime() / 1e9)).append('\n');
        }
        MetricsServer.family(b, "process_start_time_seconds", "gauge", "When the process started (epoch seconds).");
        b.append("process_start_time_seconds ").append(String.format(Locale.ROOT, "%.3f",
                ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0)).append('\n');
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = mem.getHeapMemoryUsage();
        MemoryUsage nonHeap = mem.getNonHeapMemoryUsage();
        MetricsServer.family(b, "jvm_memory_used_bytes", "gauge", "JVM memory in use, by area.");
        b.append("jvm_memory_used_bytes{area=\"heap\"} ").append(heap.getUsed()).append('\n')
                .append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
        MetricsServer.family(b, "jvm_memory_max_bytes", "gauge", "The most JVM memory an area may use (-1: no limit).");
        b.append("jvm_memory_max_bytes{area=\"heap\"} ").append(heap.getMax()).append('\n')
                .append("jvm_memory_max_bytes{area=\"nonheap\"} ").append(nonHeap.getMax()).append('\n');
        MetricsServer.family(b, "jvm_buffer_pool_used_bytes", "gauge", "Direct and mapped buffer memory in use.");
        for (java.lang.management.BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class)) {
            b.append("jvm_buffer_pool_used_bytes{pool=\"").append(p.getName().replace("\"", "'")).append("\"} ")
                    .append(p.getMemoryUsed()).append('\n');
        }
        long afterGc = 0;
        for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            java.lang.management.MemoryUsage u = pool.getType() == java.lang.management.MemoryType.HEAP
                    ? pool.getCollectionUsage() : null;
            afterGc += u == null ? 0 : u.getUsed();
        }
        MetricsServer.family(b, "jvm_memory_heap_after_gc_bytes", "gauge",
                "Heap in use after the last collection of each pool (the live set, for leak watching).");
        b.append("jvm_memory_heap_after_gc_bytes ").append(afterGc).append('\n');
        MetricsServer.family(b, "netty_direct_memory_used_bytes", "gauge",
                "Direct memory held by Netty's default allocator (SIP and HTTP buffers; -1: not measured).");
        b.append("netty_direct_memory_used_bytes ").append(io.netty.buffer.ByteBufAllocator.DEFAULT
                instanceof io.netty.buffer.ByteBufAllocatorMetricProvider m ? m.metric().usedDirectMemory() : -1)
                .append('\n');
        MetricsServer.family(b, "jvm_threads_current", "gauge", "Live JVM threads.");
        b.append("jvm_threads_current ").append(ManagementFactory.getThreadMXBean().getThreadCount()).append('\n');
        MetricsServer.family(b, "jvm_gc_collection_seconds_total", "counter", "Time spent in garbage collection.");
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            b.append("jvm_gc_collection_seconds_total{gc=\"").append(gc.getName().replace("\"", "'")).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.3f", gc.getCollectionTime() / 1000.0)).append('\n');
        }
    }
}
