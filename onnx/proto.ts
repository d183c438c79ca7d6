import onnxProto from 'onnx-proto';

/**
 * ONNX's own protobuf schema, compiled by onnx-proto (protobufjs static code):
 * the one place kevo touches the wire format, so no parser is ours.
 */
export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.ModelProto;
export type IModelProto = onnxProto.onnx.IModelProto;
export type INodeProto = onnxProto.onnx.INodeProto;
export type ITensorProto = onnxProto.onnx.ITensorProto;
export type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
