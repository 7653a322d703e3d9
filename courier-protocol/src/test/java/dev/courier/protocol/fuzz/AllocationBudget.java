package dev.courier.protocol.fuzz;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * A bound on the heap one execution of a fuzz target may allocate, so that a decoder which sizes an array or
 * buffer by a length or count it did not check fails the run at once instead of passing because the test JVM
 * happened to have the memory. It counts the bytes the current thread allocates (HotSpot's per-thread counter),
 * garbage included, so the budget is generous: a fixed allowance plus a multiple of the input's size.
 *
 * <p>Loading a class allocates too, and so does Jazzer's instrumenting it while fuzzing (tens of MiB for the
 * first execution, which loads Netty's channel classes). So an execution over budget is run once more, with
 * everything it needs loaded, and fails only if it is over budget again: an allocation the input causes happens
 * every time.
 *
 * <p>Stateless apart from its limit; use it on the thread that runs the target.
 */
public final class AllocationBudget {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final long budgetBytes;

    private AllocationBudget(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * A budget of {@code fixedBytes} plus {@code bytesPerByte} for each of the input's {@code inputBytes}.
     */
    public static AllocationBudget of(long fixedBytes, long bytesPerByte, long inputBytes) {
        return new AllocationBudget(fixedBytes + bytesPerByte * inputBytes);
    }

    /**
     * Runs {@code execution} and fails when it allocated more than the budget, both times if it had to be run
     * twice (see above). Whatever {@code execution} throws is passed on.
     *
     * @param what names the execution in the failure
     * @throws AssertionError naming what was allocated and the budget
     */
    public void run(String what, Runnable execution) {
        if (allocatedBy(execution) <= budgetBytes) {
            return;
        }
        long again = allocatedBy(execution);
        if (again > budgetBytes) {
            throw new AssertionError(what + " allocated " + again + " bytes, over its budget of " + budgetBytes);
        }
    }

    private static long allocatedBy(Runnable execution) {
        long start = THREADS.getCurrentThreadAllocatedBytes();
        execution.run();
        return THREADS.getCurrentThreadAllocatedBytes() - start;
    }
}
