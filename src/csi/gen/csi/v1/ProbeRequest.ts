// Original file: src/csi/csi.proto


export interface ProbeRequest {
}

export interface ProbeRequest__Output {
}
