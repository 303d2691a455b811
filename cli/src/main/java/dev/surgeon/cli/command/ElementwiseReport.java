package dev.surgeon.cli.command;

import com.google.gson.JsonObject;
import dev.surgeon.io.write.PlannedTensor;
import dev.surgeon.ops.align.AlignedModels;
import dev.surgeon.ops.align.TensorGroup;

import java.util.HashMap;
import java.util.Map;

/** Report pieces shared by the element-wise commands (scale, average): one {@code tensors[]} entry. */
final class ElementwiseReport {
    private ElementwiseReport() {
    }

    /** The aligned groups by tensor name. */
    static Map<String, TensorGroup> groups(AlignedModels models) {
        Map<String, TensorGroup> m = new HashMap<>();
        models.groups().forEach(g -> m.put(g.name(), g));
        return m;
    }

    /** {name, dtype (the output's), shape, block (when in one), role}. */
    static JsonObject entry(PlannedTensor t, TensorGroup g) {
        JsonObject o = new JsonObject();
        o.addProperty("name", t.name());
        o.addProperty("dtype", t.dtype().name());
        o.add("shape", Fmt.shape(t.shape()));
        if (g.role().inBlock()) {
            o.addProperty("block", g.block());
        }
        o.addProperty("role", g.role().role().jsonName());
        return o;
    }
}
