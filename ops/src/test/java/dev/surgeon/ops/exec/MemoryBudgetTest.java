package dev.surgeon.ops.exec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryBudgetTest {
    @AfterEach
    void restore() {
        MemoryBudget.configure(MemoryBudget.defaultBytes());
    }

    @Test
    void grantsWhatFitsMakesTheRestWaitAndLetsOneOversizedPieceRunAlone() throws Exception {
        MemoryBudget.configure(100);
        MemoryBudget.Lease a = MemoryBudget.tryAcquire(60);
        assertThat(a).isNotNull();
        assertThat(MemoryBudget.tryAcquire(60)).as("60 + 60 > 100").isNull();
        CompletableFuture<MemoryBudget.Lease> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return MemoryBudget.acquire(60);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(waiting).isNotDone();
        a.close();
        a.close(); // twice gives back once
        MemoryBudget.Lease b = waiting.get(5, TimeUnit.SECONDS);
        assertThat(MemoryBudget.held()).isEqualTo(60);
        assertThat(MemoryBudget.tryAcquire(500)).as("over the budget while something is held").isNull();
        b.close();
        MemoryBudget.Lease big = MemoryBudget.tryAcquire(500);
        assertThat(big).as("over the whole budget, alone").isNotNull();
        big.close();
        assertThat(MemoryBudget.held()).isZero();
        assertThat(MemoryBudget.peak()).isEqualTo(500);
    }

    @Test
    void theDefaultIsAtMostHalfTheMachineAndFitsTheHeap() {
        long d = MemoryBudget.defaultBytes();
        assertThat(d).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
        long machine = MemoryBudget.physicalBytes();
        if (machine > 0) {
            assertThat(d).isLessThanOrEqualTo(Math.max(64L << 20, machine / 2));
        }
    }
}
