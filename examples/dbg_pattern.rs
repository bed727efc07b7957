fn main() {
    let path = std::env::args().nth(1).unwrap();
    let dims: Vec<usize> = std::env::args()
        .nth(2)
        .unwrap()
        .split(',')
        .map(|d| d.parse().unwrap())
        .collect();
    let g = halfpixel::model::load(std::path::Path::new(&path))
        .unwrap()
        .graph;
    let facts = halfpixel::model::fold::infer(
        &g,
        &[halfpixel::model::fold::InputShape { name: None, dims }],
    )
    .unwrap();
    for (k, n) in g.nodes.iter().enumerate() {
        println!(
            "{} {:?} canon={:?} out_shape={:?}",
            n.op,
            n.name,
            facts
                .canon(k)
                .map(|c| format!("{c:?}").chars().take(60).collect::<String>()),
            n.outputs.iter().map(|o| facts.shape(o)).collect::<Vec<_>>()
        );
    }
    let n = &g.nodes[1];
    let c = facts.canon(1).unwrap();
    let plan = halfpixel::model::fold::movement_plan(c, n, &facts, &[4, 6, 1, 2]);
    println!("{:?}", plan.as_ref().map(|p| p.out_dims.clone()));
    let t = halfpixel::model::tensor::Tensor::new(vec![4, 6, 1, 2], (0..48u32).collect()).unwrap();
    if let Ok(p) = plan {
        println!("{:?}", p.apply(t, &facts, n).map(|x| x.dims));
    }
    let f = halfpixel::model::pattern::find(&g, &facts);
    println!("{} found", f.len());
}
#[allow(dead_code)]
fn unused() {}
