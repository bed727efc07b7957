//! Ready-to-run snippets that change a converted model's layer into the call that reproduces
//! its source: an onnx attribute edit, a coremltools spec edit (NeuralNetwork layer fields or
//! an ML Program op), a TFLite options edit through TF's flatbuffer object API, or a Keras
//! config edit. Each edits only what the fix changes and saves next to the original.

use std::path::Path;

use serde_json::Value;

use super::audit::ModelAudit;
use super::graph::ModelFormat;
use super::layer::Layer;
use crate::presets::Call;

/// A JSON value as a Python literal.
fn py(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => {
            if n.is_f64() {
                let f = n.as_f64().unwrap_or(0.0);
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    format!("{f:.1}")
                } else {
                    format!("{f}")
                }
            } else {
                n.to_string()
            }
        }
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!("[{}]", a.iter().map(py).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k:?}: {}", py(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The path the fixed model is saved to: `<stem>.fixed.<ext>` next to the original.
fn fixed_path(path: &str) -> String {
    let p = Path::new(path);
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let ext = p.extension().and_then(|s| s.to_str()).unwrap_or("");
    let name = if ext.is_empty() {
        format!("{stem}.fixed")
    } else {
        format!("{stem}.fixed.{ext}")
    };
    p.with_file_name(name).display().to_string()
}

/// A snippet that turns `layer` of `model` into `fix`, when the edit is one the file format
/// allows in place (same op, other attributes; or a Core ML layer replaced by another).
pub fn snippet(model: &ModelAudit, layer: &Layer, fix: &Call) -> Option<String> {
    if layer.pattern.is_some() {
        return None;
    }
    let (path, out) = (&model.path, fixed_path(&model.path));
    match model.format {
        ModelFormat::Onnx if fix.function == layer.native_op => Some(format!(
            "import onnx\nfrom onnx import helper\n\nmodel = onnx.load({path:?})\n\
             node = next(n for n in model.graph.node if (n.name or n.output[0]) == {name:?})\n\
             new = {attrs}\n\
             keep = [a for a in node.attribute if a.name not in new]\n\
             del node.attribute[:]\n\
             node.attribute.extend(keep + [helper.make_attribute(k, v) for k, v in new.items()])\n\
             onnx.save(model, {out:?})\n",
            name = layer.name,
            attrs = py(&fix.args["attributes"]),
        )),
        ModelFormat::TfLite if fix.function == layer.native_op => {
            let mut sets = String::new();
            for (k, field) in [
                ("align_corners", "alignCorners"),
                ("half_pixel_centers", "halfPixelCenters"),
                ("block_size", "blockSize"),
            ] {
                if let Some(v) = fix.args.get(k) {
                    sets += &format!("op.builtinOptions.{field} = {}\n", py(v));
                }
            }
            Some(format!(
                "import flatbuffers\nfrom tensorflow.lite.python import schema_py_generated as schema\n\n\
                 model = schema.ModelT.InitFromPackedBuf(open({path:?}, \"rb\").read(), 0)\n\
                 graph = model.subgraphs[0]\n\
                 op = next(o for o in graph.operators if graph.tensors[o.outputs[0]].name.decode() == {name:?})\n\
                 {sets}\
                 builder = flatbuffers.Builder(0)\n\
                 builder.Finish(model.Pack(builder), file_identifier=b\"TFL3\")\n\
                 open({out:?}, \"wb\").write(builder.Output())\n",
                name = layer.name,
            ))
        }
        ModelFormat::Keras if fix.function.trim_start_matches("layers.") == layer.native_op => {
            Some(format!(
                "import json, zipfile\n\n\
             def edit(node):\n    \
                 if isinstance(node, dict):\n        \
                     if node.get(\"config\", {{}}).get(\"name\") == {name:?}:\n            \
                         node[\"config\"].update({args})\n        \
                     for v in node.values():\n            edit(v)\n    \
                 elif isinstance(node, list):\n        \
                     for v in node:\n            edit(v)\n\n\
             with zipfile.ZipFile({path:?}) as src, zipfile.ZipFile({out:?}, \"w\") as dst:\n    \
                 for item in src.infolist():\n        \
                     data = src.read(item.filename)\n        \
                     if item.filename == \"config.json\":\n            \
                         config = json.loads(data)\n            \
                         edit(config)\n            \
                         data = json.dumps(config)\n        \
                     dst.writestr(item, data)\n",
                name = layer.name,
                args = py(&fix.args),
            ))
        }
        ModelFormat::CoreMlNeuralNetwork => coreml_nn(path, &out, layer, fix),
        ModelFormat::CoreMlProgram => coreml_mil(path, &out, layer, fix),
        _ => None,
    }
}

fn coreml_nn(path: &str, out: &str, layer: &Layer, fix: &Call) -> Option<String> {
    let a = &fix.args;
    let body = match fix.function.as_str() {
        "NeuralNetwork.Upsample" => {
            let mut s = String::from("p = layer.upsample\n");
            s += &format!(
                "p.mode = nn.UpsampleLayerParams.InterpolationMode.Value({})\n",
                py(&a["mode"])
            );
            // Core ML's validator refuses NN with any linearUpsampleMode but DEFAULT, so the
            // field is always written, DEFAULT when the fix does not name one.
            let linear = a
                .get("linearUpsampleMode")
                .map_or_else(|| "\"DEFAULT\"".to_string(), py);
            s += &format!(
                "p.linearUpsampleMode = nn.UpsampleLayerParams.LinearUpsampleMode.Value({linear})\n"
            );
            for key in ["scalingFactor", "fractionalScalingFactor"] {
                s += &format!("del p.{key}[:]\n");
                if let Some(v) = a.get(key) {
                    s += &format!("p.{key}.extend({})\n", py(v));
                }
            }
            s
        }
        "NeuralNetwork.ResizeBilinear" => format!(
            "layer.resizeBilinear.CopyFrom(nn.ResizeBilinearLayerParams(targetSize={}, \
             mode=nn.SamplingMode(samplingMethod=nn.SamplingMode.Method.Value({}))))\n",
            py(&a["targetSize"]),
            py(&a["mode"])
        ),
        "NeuralNetwork.ReorganizeData" => format!(
            "layer.reorganizeData.CopyFrom(nn.ReorganizeDataLayerParams(\
             mode=nn.ReorganizeDataLayerParams.ReorganizationType.Value({}), blockSize={}))\n",
            py(&a["mode"]),
            py(&a["blockSize"])
        ),
        _ => return None,
    };
    Some(format!(
        "import coremltools as ct\nfrom coremltools.proto import NeuralNetwork_pb2 as nn\n\n\
         spec = ct.utils.load_spec({path:?})\n\
         net = spec.neuralNetwork  # .neuralNetworkClassifier / .neuralNetworkRegressor for those models\n\
         layer = next(l for l in net.layers if l.name == {name:?})\n\
         {body}\
         ct.utils.save_spec(spec, {out:?})\n",
        name = layer.name,
    ))
}

fn coreml_mil(path: &str, out: &str, layer: &Layer, fix: &Call) -> Option<String> {
    let args = fix.args.as_object()?;
    let keep: Vec<String> = args.keys().map(|k| format!("{k:?}")).collect();
    let mut sets = String::new();
    for (k, v) in args {
        sets += &format!("op.inputs[{k:?}].CopyFrom(const({}))\n", py(v));
    }
    Some(format!(
        "import coremltools as ct\nfrom coremltools.proto import MIL_pb2 as mil\n\n\
         def const(v):\n    \
             arg = mil.Argument(arguments=[mil.Argument.Binding()])\n    \
             value = arg.arguments[0].value\n    \
             kind, field = {{bool: (mil.BOOL, \"bools\"), int: (mil.INT32, \"ints\"), float: (mil.FLOAT32, \"floats\"), str: (mil.STRING, \"strings\")}}[type(v)]\n    \
             value.type.tensorType.dataType = kind\n    \
             getattr(value.immediateValue.tensor, field).values.append(v)\n    \
             return arg\n\n\
         model = ct.models.MLModel({path:?})\n\
         spec = model.get_spec()\n\
         main = spec.mlProgram.functions[\"main\"]\n\
         op = next(o for o in main.block_specializations[main.opset].operations if o.outputs[0].name == {name:?})\n\
         op.type = {ty:?}\n\
         for name in [n for n in op.inputs if n not in (\"x\", {keep})]:\n    del op.inputs[name]\n\
         {sets}\
         ct.models.MLModel(spec, weights_dir=model.weights_dir).save({out:?})\n",
        name = layer.name,
        ty = fix.function,
        keep = keep.join(", "),
    ))
}
