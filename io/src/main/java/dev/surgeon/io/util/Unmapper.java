package dev.surgeon.io.util;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Releases a mapped buffer at once. Java 17 unmaps only when the buffer is garbage-collected, and
 * mapped pages count in resident memory, so a streaming pass over a large model must release each
 * chunk explicitly. Uses sun.misc.Unsafe.invokeCleaner (module jdk.unsupported), the one supported
 * way on Java 17; when unavailable the buffer is left to the GC.
 */
public final class Unmapper {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            clean = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = clean;
    }

    private Unmapper() {
    }

    /** Unmaps a direct buffer obtained from FileChannel.map; the buffer must not be used after. */
    public static void release(ByteBuffer mapped) {
        if (mapped == null || !mapped.isDirect() || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, mapped);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // A slice or duplicate cannot be cleaned directly; the GC will release it.
        }
    }
}
